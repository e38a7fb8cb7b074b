using System.Collections.Specialized;
using HfSageMaker.Constructs.Training;
using Xunit;

namespace HfSageMaker.Tests.Training;

/// <summary>Expected strings are written by hand from Python's <c>json.dumps</c> (what the SDK sends).</summary>
public class HyperparameterEncodingTests
{
    public static TheoryData<object?, string> Values => new()
    {
        { "t5-small", "\"t5-small\"" },
        { "", "\"\"" },
        { true, "true" },
        { false, "false" },
        { 3, "3" },
        { -7L, "-7" },
        { (byte)8, "8" },
        { 12345678901234L, "12345678901234" },
        { 5e-05, "5e-05" },
        { 0.00001, "1e-05" },
        { 2.5e-07, "2.5e-07" },
        { 0.0001, "0.0001" },
        { 0.1, "0.1" },
        { 1.0, "1.0" },
        { 100.0, "100.0" },
        { -0.5, "-0.5" },
        { 0.0, "0.0" },
        { -0.0, "-0.0" },
        { 1.0 / 3.0, "0.3333333333333333" },
        { 123456789.123, "123456789.123" },
        { 1e15, "1000000000000000.0" },
        { 1e16, "1e+16" },
        { 1.5e300, "1.5e+300" },
        { double.MaxValue, "1.7976931348623157e+308" },
        { double.NaN, "NaN" },
        { double.PositiveInfinity, "Infinity" },
        { double.NegativeInfinity, "-Infinity" },
        { 0.1f, "0.1" },
        { 2.50m, "2.5" },
        { null, "null" },
        { "café", "\"caf\\u00e9\"" },
        { "a\"b\\c/d", "\"a\\\"b\\\\c/d\"" },
        { "line\nbreak\ttab\r\b\f", "\"line\\nbreak\\ttab\\r\\b\\f\"" },
        { "\u0001\u007f", "\"\\u0001\\u007f\"" },
        { "😀", "\"\\ud83d\\ude00\"" },
        { 'x', "\"x\"" },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Scalar_values_are_encoded_like_python_json_dumps(object? value, string expected)
    {
        Assert.Equal(expected, HyperparameterEncoding.Encode(value));
    }

    [Fact]
    public void Lists_use_python_separators_and_nest()
    {
        Assert.Equal("[1, 2]", HyperparameterEncoding.Encode(new[] { 1, 2 }));
        Assert.Equal("[]", HyperparameterEncoding.Encode(Array.Empty<int>()));
        Assert.Equal("[\"a\", 1.5, true, null, [0.1]]",
            HyperparameterEncoding.Encode(new List<object?> { "a", 1.5, true, null, new[] { 0.1 } }));
    }

    [Fact]
    public void Dictionaries_keep_insertion_order_and_use_colon_space()
    {
        var value = new OrderedDictionary { ["b"] = 1, ["a"] = new[] { 1, 2 }, ["c"] = new Dictionary<string, object?> { ["d"] = null } };
        Assert.Equal("{\"b\": 1, \"a\": [1, 2], \"c\": {\"d\": null}}", HyperparameterEncoding.Encode(value));
        Assert.Equal("{}", HyperparameterEncoding.Encode(new Dictionary<string, int>()));
    }

    [Fact]
    public void Dictionary_keys_that_are_not_strings_become_strings_as_python_does()
    {
        Assert.Equal("{\"1\": \"a\", \"true\": 0.5}", HyperparameterEncoding.Encode(new OrderedDictionary { { 1, "a" }, { true, 0.5 } }));
    }

    [Fact]
    public void Unsupported_types_are_rejected_with_the_type_name()
    {
        var error = Assert.Throws<ArgumentException>(() => HyperparameterEncoding.Encode(new DateTime(2024, 1, 1)));
        Assert.Contains("System.DateTime cannot be JSON-encoded", error.Message);
        var nested = Assert.Throws<ArgumentException>(() => HyperparameterEncoding.Encode(new object[] { 1, new Uri("https://x") }));
        Assert.Contains("System.Uri cannot be JSON-encoded", nested.Message);
    }
}
