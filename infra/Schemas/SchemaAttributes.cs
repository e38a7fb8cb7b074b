namespace HfSageMaker.Infra.Schemas;

/// <summary>
/// JSON Schema keywords of one property of a configuration model (the value itself, <see cref="ItemsAttribute"/> its
/// items or map values, <see cref="KeysAttribute"/> its map keys). <see cref="SchemaGenerator"/> writes them into the
/// schema as given, so the model is the one place a rule is stated. Unset numbers are <see cref="double.NaN"/> or -1.
/// </summary>
public abstract class SchemaKeywordsAttribute : Attribute
{
    /// <summary>
    /// <c>pattern</c>, anchored as .NET anchors (<c>\z</c>); written with ECMAScript's <c>$</c>, which .NET's regex (and so
    /// JsonSchema.Net) also matches before a final newline: the loader refuses control characters in every string instead.
    /// </summary>
    public string? Pattern { get; set; }

    /// <summary><c>patternErrorMessage</c> (VS Code's keyword): "&lt;what is wrong&gt;; allowed &lt;what is allowed&gt;".</summary>
    public string? PatternMessage { get; set; }

    /// <summary><c>format</c>: an annotation for editors and other validators (JsonSchema.Net leaves formats unchecked by
    /// default; state the rule with <see cref="Pattern"/>).</summary>
    public string? Format { get; set; }

    /// <summary><c>not: {pattern}</c>: a pattern the value must not match (written like <see cref="Pattern"/>).</summary>
    public string? NotPattern { get; set; }

    /// <summary><c>errorMessage</c> (VS Code's keyword): what is wrong when the value is not in the enum or matches
    /// <see cref="NotPattern"/>, optionally followed by "; allowed ...".</summary>
    public string? Message { get; set; }

    /// <summary><c>enum</c>: the name of a static list of the generator's lists type (e.g. the supported regions); a list
    /// named in more than one place is a <c>$ref</c> to its one copy under <c>$defs</c> (<see cref="SchemaGenerator.DefinitionOf"/>).</summary>
    public string? Values { get; set; }

    /// <summary><c>minimum</c>.</summary>
    public double Minimum { get; set; } = double.NaN;

    /// <summary><c>maximum</c>.</summary>
    public double Maximum { get; set; } = double.NaN;

    /// <summary><c>exclusiveMinimum</c>.</summary>
    public double ExclusiveMinimum { get; set; } = double.NaN;

    /// <summary><c>minLength</c>.</summary>
    public int MinLength { get; set; } = -1;

    /// <summary><c>maxLength</c>.</summary>
    public int MaxLength { get; set; } = -1;

    /// <summary><c>minItems</c>.</summary>
    public int MinItems { get; set; } = -1;

    /// <summary><c>maxItems</c>.</summary>
    public int MaxItems { get; set; } = -1;

    /// <summary><c>minProperties</c>.</summary>
    public int MinProperties { get; set; } = -1;

    /// <summary><c>maxProperties</c>.</summary>
    public int MaxProperties { get; set; } = -1;

    /// <summary><c>uniqueItems</c>.</summary>
    public bool UniqueItems { get; set; }
}

/// <summary>What a property, record or enum member means (its <c>description</c>, for editors and the README) and allows.</summary>
/// <param name="description">The description: what the value is for; limits and cross-field rules in words.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Class | AttributeTargets.Field)]
public sealed class SchemaAttribute(string description) : SchemaKeywordsAttribute
{
    /// <summary>The description.</summary>
    public string Description { get; } = description;

    /// <summary>On a record: the name under <c>$defs</c> where it is defined once, for every property of its type.</summary>
    public string? Definition { get; set; }
}

/// <summary>Keywords of each item of an array property, or of each value of a map property.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ItemsAttribute : SchemaKeywordsAttribute;

/// <summary>Keywords of each key of a map property (<c>propertyNames</c>).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class KeysAttribute : SchemaKeywordsAttribute;
