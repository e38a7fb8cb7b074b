using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// The single place that encodes hyperparameter values, byte for byte like the SDK: <c>Framework._json_encode_hyperparameters</c>
/// (<c>estimator.py</c>) sends <c>json.dumps(v)</c> for every value, with Python's defaults (<c>ensure_ascii=True</c>,
/// separators <c>", "</c> and <c>": "</c>, floats as <c>repr</c>, <c>NaN</c>/<c>Infinity</c> allowed).
/// The training toolkit decodes each value with <c>json.loads</c>.
/// </summary>
internal static class HyperparameterEncoding
{
    /// <summary>
    /// Encodes one value as Python's <c>json.dumps</c> would: <c>"t5-small"</c> → <c>"\"t5-small\""</c>, <c>true</c> → <c>true</c>,
    /// 3 → <c>3</c>, 5e-05 → <c>5e-05</c>, 0.1 → <c>0.1</c>, 1.0 → <c>1.0</c>, null → <c>null</c>, a list → <c>[1, 2]</c>,
    /// a dictionary → <c>{"a": 1}</c>.
    /// </summary>
    /// <param name="value">string, char, bool, any integer type, double, float, decimal, null, an <see cref="IDictionary"/>
    /// (string, bool or numeric keys) or any other <see cref="IEnumerable"/> (a list).</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentException">The value (or a nested value) has a type JSON cannot represent.</exception>
    public static string Encode(object? value)
    {
        var builder = new StringBuilder();
        var error = Append(builder, value, depth: 0);
        if (error is not null)
        {
            throw new ArgumentException(error, nameof(value));
        }

        return builder.ToString();
    }

    /// <summary>
    /// Encodes one categorical tuning value as the SDK does for Framework estimators: <c>CategoricalParameter.__init__</c>
    /// turns every value into a string with Python's <c>str()</c> (<c>parameter.py</c> <c>to_string</c>,
    /// <c>utils.py</c> <c>to_string</c>), then <c>as_json_range</c> applies <c>json.dumps</c>: <c>0.0</c> →
    /// <c>"\"0.0\""</c>, <c>true</c> → <c>"\"True\""</c>, 16 → <c>"\"16\""</c>, <c>"adamw"</c> → <c>"\"adamw\""</c>,
    /// null → <c>"\"None\""</c>. The toolkit's <c>json.loads</c> then hands the script a string, as under the SDK.
    /// </summary>
    /// <param name="value">string, char, bool, any integer type, double, float, decimal, null, a list or a dictionary.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="ArgumentException">The value (or a nested value) has no Python counterpart.</exception>
    public static string EncodeCategorical(object? value)
    {
        if (!TryEncodeCategorical(value, out var encoded, out var error))
        {
            throw new ArgumentException(error, nameof(value));
        }

        return encoded;
    }

    /// <summary>Like <see cref="EncodeCategorical"/>, reporting an unsupported value as an error text.</summary>
    internal static bool TryEncodeCategorical(object? value, out string encoded, out string? error)
    {
        var builder = new StringBuilder();
        error = AppendPythonStr(builder, value, depth: 0, repr: false);
        encoded = error is null ? Encode(builder.ToString()) : string.Empty;
        return error is null;
    }

    /// <summary>Python's <c>str(value)</c> (<paramref name="repr"/>: <c>repr(value)</c>, used inside lists and dictionaries).</summary>
    private static string? AppendPythonStr(StringBuilder builder, object? value, int depth, bool repr)
    {
        if (depth > 64)
        {
            return "nesting deeper than 64 levels is not supported";
        }

        switch (value)
        {
            case null:
                builder.Append("None");
                return null;
            case string s:
                if (repr)
                {
                    AppendPythonRepr(builder, s);
                }
                else
                {
                    builder.Append(s);
                }

                return null;
            case char c:
                return AppendPythonStr(builder, c.ToString(), depth, repr);
            case bool b:
                builder.Append(b ? "True" : "False");
                return null;
            case sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger or nint or nuint:
                builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return null;
            case double d when !double.IsFinite(d):
                // str(float('nan')) is 'nan', str(float('inf')) is 'inf' (json.dumps would write NaN / Infinity).
                builder.Append(double.IsNaN(d) ? "nan" : d > 0 ? "inf" : "-inf");
                return null;
            case float f when !float.IsFinite(f):
                return AppendPythonStr(builder, (double)f, depth, repr);
            case double or float or Half or decimal:
                // str(float) is repr(float), which json.dumps also writes for finite floats.
                return Append(builder, value, depth);
            case IDictionary dictionary:
                builder.Append('{');
                var firstEntry = true;
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (!firstEntry)
                    {
                        builder.Append(", ");
                    }

                    firstEntry = false;
                    var keyError = AppendPythonStr(builder, entry.Key, depth + 1, repr: true);
                    if (keyError is not null)
                    {
                        return keyError;
                    }

                    builder.Append(": ");
                    var valueError = AppendPythonStr(builder, entry.Value, depth + 1, repr: true);
                    if (valueError is not null)
                    {
                        return valueError;
                    }
                }

                builder.Append('}');
                return null;
            case IEnumerable sequence:
                return AppendList(builder, sequence, item => AppendPythonStr(builder, item, depth + 1, repr: true));
            default:
                return $"a value of type {value.GetType().FullName} has no Python counterpart; use string, bool, an integer, a floating-point number, null, a list or a dictionary";
        }
    }

    /// <summary>
    /// Python's <c>repr(str)</c>: single quotes unless the text holds a single quote and no double quote; backslash,
    /// the quote, <c>\t</c>, <c>\n</c>, <c>\r</c> escaped, other control characters as <c>\xhh</c>; other characters kept.
    /// </summary>
    private static void AppendPythonRepr(StringBuilder builder, string value)
    {
        var quote = value.Contains('\'', StringComparison.Ordinal) && !value.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        builder.Append(quote);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\t': builder.Append("\\t"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(c);
                    }
                    else if (c < ' ' || c == '\x7f')
                    {
                        builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append(quote);
    }

    /// <summary>Encodes like <see cref="Encode"/>, reporting an unsupported type as an error text instead of an exception.</summary>
    internal static bool TryEncode(object? value, out string encoded, out string? error)
    {
        var builder = new StringBuilder();
        error = Append(builder, value, depth: 0);
        encoded = error is null ? builder.ToString() : string.Empty;
        return error is null;
    }

    /// <summary>
    /// Python's <c>repr(float)</c> (the shortest text that round-trips; exponent form when the decimal point position is
    /// ≤ -4 or &gt; 16, exponent with at least two digits; <c>.0</c> on whole numbers). Also used for tuning range bounds,
    /// which the SDK sends as <c>str(value)</c>.
    /// </summary>
    internal static string FormatDouble(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        return FormatShortest(value.ToString("R", CultureInfo.InvariantCulture), double.IsNegative(value));
    }

    private static string FormatShortest(string roundTrip, bool negative)
    {
        // roundTrip is e.g. "5E-05", "-1.5E+300", "0.0001", "123.45", "100": split it into significant digits and
        // the decimal point position (the number is 0.DIGITS x 10^decpt), as CPython's float_repr_style 'short' does.
        var text = roundTrip.TrimStart('-');
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var integerPart = dot >= 0 ? text[..dot] : text;
        var fractionPart = dot >= 0 ? text[(dot + 1)..] : string.Empty;
        var digits = integerPart + fractionPart;
        var decimalPoint = integerPart.Length + exponent;
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..];
        decimalPoint -= leading;
        digits = digits.TrimEnd('0');
        var sign = negative ? "-" : string.Empty;
        if (digits.Length == 0)
        {
            return sign + "0.0";
        }

        if (decimalPoint <= -4 || decimalPoint > 16)
        {
            var mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
            var power = decimalPoint - 1;
            return string.Create(CultureInfo.InvariantCulture, $"{sign}{mantissa}e{(power < 0 ? '-' : '+')}{Math.Abs(power):00}");
        }

        if (decimalPoint <= 0)
        {
            return sign + "0." + new string('0', -decimalPoint) + digits;
        }

        if (decimalPoint >= digits.Length)
        {
            return sign + digits + new string('0', decimalPoint - digits.Length) + ".0";
        }

        return sign + digits[..decimalPoint] + "." + digits[decimalPoint..];
    }

    private static string? Append(StringBuilder builder, object? value, int depth)
    {
        if (depth > 64)
        {
            return "nesting deeper than 64 levels cannot be JSON-encoded";
        }

        switch (value)
        {
            case null:
                builder.Append("null");
                return null;
            case string s:
                AppendString(builder, s);
                return null;
            case char c:
                AppendString(builder, c.ToString());
                return null;
            case bool b:
                builder.Append(b ? "true" : "false");
                return null;
            case sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger or nint or nuint:
                builder.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                return null;
            case double d:
                builder.Append(FormatDouble(d));
                return null;
            case float f:
                // A C# float 0.1f is 0.100000001490116 as a double; encode the float's own shortest text ("0.1"),
                // which is what the user wrote, as Python would print the literal.
                builder.Append(float.IsFinite(f)
                    ? FormatShortest(f.ToString("R", CultureInfo.InvariantCulture), float.IsNegative(f))
                    : FormatDouble(f));
                return null;
            case Half h:
                builder.Append(FormatDouble((double)h));
                return null;
            case decimal m:
                builder.Append(FormatShortest(m.ToString(CultureInfo.InvariantCulture), m < 0));
                return null;
            case IDictionary dictionary:
                return AppendDictionary(builder, dictionary, depth);
            case IEnumerable sequence:
                return AppendList(builder, sequence, item => Append(builder, item, depth + 1));
            default:
                return $"a value of type {value.GetType().FullName} cannot be JSON-encoded; use string, bool, an integer, a floating-point number, null, a list or a dictionary";
        }
    }

    /// <summary><c>[a, b]</c>: the items joined by <c>", "</c> (json.dumps and Python's <c>str</c> of a list alike), each
    /// written by <paramref name="appendItem"/>; the first item's error stops it.</summary>
    private static string? AppendList(StringBuilder builder, IEnumerable sequence, Func<object?, string?> appendItem)
    {
        builder.Append('[');
        var first = true;
        foreach (var item in sequence)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            var error = appendItem(item);
            if (error is not null)
            {
                return error;
            }
        }

        builder.Append(']');
        return null;
    }

    private static string? AppendDictionary(StringBuilder builder, IDictionary dictionary, int depth)
    {
        builder.Append('{');
        var first = true;
        foreach (DictionaryEntry entry in dictionary)
        {
            // json.dumps turns str, bool, int, float and None keys into strings; anything else is a TypeError.
            string key;
            switch (entry.Key)
            {
                case string s:
                    key = s;
                    break;
                case bool b:
                    key = b ? "true" : "false";
                    break;
                case sbyte or byte or short or ushort or int or uint or long or ulong or BigInteger:
                    key = Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!;
                    break;
                case double d:
                    key = FormatDouble(d);
                    break;
                default:
                    return $"a dictionary key of type {entry.Key.GetType().FullName} cannot be JSON-encoded; use string, bool or numeric keys";
            }

            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            AppendString(builder, key);
            builder.Append(": ");
            var error = Append(builder, entry.Value, depth + 1);
            if (error is not null)
            {
                return error;
            }
        }

        builder.Append('}');
        return null;
    }

    private static void AppendString(StringBuilder builder, string value)
    {
        // json.dumps with ensure_ascii=True: \" \\ \b \f \n \r \t, every other character outside ' '..'~' as \uxxxx
        // (lowercase hex; characters beyond the BMP as their UTF-16 surrogate pair, which is what a C# string holds).
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c < ' ' || c > '~')
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
