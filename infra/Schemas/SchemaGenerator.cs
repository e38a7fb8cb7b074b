using System.Collections;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace HfSageMaker.Infra.Schemas;

/// <summary>
/// Writes the JSON Schema (draft 2020-12) of a configuration model, in the manner of aws-cdk's cloud-assembly schema
/// (generated from its types): a record is an object whose keys are its settable properties in camelCase (or their
/// <see cref="JsonPropertyNameAttribute"/>), whose <c>required</c> keys are its C# <c>required</c> members and which takes
/// no other key; a list is an array, a string-keyed dictionary a map, an enum its camelCase member names. Descriptions
/// and keywords come from <see cref="SchemaAttribute"/>, <see cref="ItemsAttribute"/> and <see cref="KeysAttribute"/>;
/// the default of an optional scalar from a default instance of its record. A record with a
/// <see cref="SchemaAttribute.Definition"/>, and a list of values (<see cref="SchemaKeywordsAttribute.Values"/>) used in
/// more than one place, is written once under <c>$defs</c> and referred to with <c>$ref</c> (a list used once stays in
/// place, where an editor shows it with its property).
/// </summary>
public static class SchemaGenerator
{
    /// <summary>The schema's text as committed: two-space indentation, characters unescaped where JSON allows, final newline.</summary>
    public static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Generates the schema of <paramref name="model"/>.</summary>
    /// <param name="model">The record a document is.</param>
    /// <param name="lists">The type whose static lists <see cref="SchemaKeywordsAttribute.Values"/> names.</param>
    /// <param name="title">The schema's title.</param>
    /// <param name="custom">The schema of a property the rules above cannot describe, or null for the rules.</param>
    /// <returns>The schema document.</returns>
    public static JsonObject Generate(Type model, Type lists, string title, Func<PropertyInfo, JsonObject?> custom)
    {
        ArgumentNullException.ThrowIfNull(model);

        // A first pass counts where each list is used; the second writes a list used more than once under $defs.
        var uses = new Dictionary<string, int>(StringComparer.Ordinal);
        new Generator(lists, custom, new JsonObject(), uses, shared: new HashSet<string>()).Record(model, inline: true);
        var definitions = new JsonObject();
        var root = new JsonObject { ["$schema"] = "https://json-schema.org/draft/2020-12/schema", ["title"] = title };
        var shared = uses.Where(u => u.Value > 1).Select(u => u.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in new Generator(lists, custom, definitions, [], shared).Record(model, inline: true))
        {
            root[key] = value?.DeepClone();
        }

        if (definitions.Count > 0)
        {
            root["$defs"] = definitions;
        }

        return root;
    }

    /// <summary>The JSON key of a property.</summary>
    public static string KeyOf(PropertyInfo property) =>
        property?.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property!.Name);

    /// <summary>The pattern as the schema writes it (ECMAScript): <c>\z</c> becomes <c>$</c>.</summary>
    public static string Ecma(string pattern) => pattern.Replace(@"\z", "$", StringComparison.Ordinal);

    /// <summary>
    /// The name under <c>$defs</c> of a list used in more than one place: its name in camelCase and singular, what each
    /// value is (<c>InstanceTypes</c>: <c>instanceType</c>).
    /// </summary>
    /// <param name="list">The name of a static list of the lists type.</param>
    /// <returns>The definition's name.</returns>
    public static string DefinitionOf(string list)
    {
        var name = JsonNamingPolicy.CamelCase.ConvertName(list ?? throw new ArgumentNullException(nameof(list)));
        return name.Length > 1 && name.EndsWith('s') ? name[..^1] : name;
    }

    private sealed class Generator(Type lists, Func<PropertyInfo, JsonObject?> custom, JsonObject definitions, Dictionary<string, int> uses, IReadOnlySet<string> shared)
    {
        public JsonObject Record(Type type, bool inline)
        {
            var attribute = type.GetCustomAttribute<SchemaAttribute>();
            if (!inline && attribute?.Definition is { } name)
            {
                if (definitions[name] is JsonObject list && list.ContainsKey("enum"))
                {
                    throw new InvalidOperationException($"The record {type.Name} and a list are both named {name} under $defs.");
                }

                if (!definitions.ContainsKey(name))
                {
                    definitions[name] = null; // claimed first: a record may refer to itself
                    definitions[name] = Record(type, inline: true);
                }

                return new JsonObject { ["$ref"] = $"#/$defs/{name}" };
            }

            var defaults = Activator.CreateInstance(type);
            var properties = new JsonObject();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is not null).OrderBy(p => p.MetadataToken))
            {
                properties[KeyOf(property)] = custom(property) ?? Property(property, defaults);
            }

            var node = Describe(new JsonObject(), attribute?.Description);
            node["type"] = "object";
            node["additionalProperties"] = false;
            if (attribute?.Definition is null)
            {
                Require(node, type);
            }

            node["properties"] = properties;
            return node;
        }

        private static void Require(JsonObject node, Type type)
        {
            var required = type.GetProperties().Where(p => p.GetCustomAttribute<RequiredMemberAttribute>() is not null).OrderBy(p => p.MetadataToken).Select(KeyOf).ToList();
            if (required.Count > 0)
            {
                node["required"] = new JsonArray([.. required.Select(r => (JsonNode)r)]);
            }
        }

        private JsonObject Property(PropertyInfo property, object? defaults)
        {
            var attribute = property.GetCustomAttribute<SchemaAttribute>()
                ?? throw new InvalidOperationException($"{property.DeclaringType?.Name}.{property.Name} has no [Schema] description.");
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var node = Describe(new JsonObject(), attribute.Description + (type.IsEnum ? " " + string.Join(" ", Members(type).Select(m => $"{m.Key}: {m.Value}")) : ""));
            var value = Value(type, property.GetCustomAttribute<ItemsAttribute>(), property.GetCustomAttribute<KeysAttribute>());
            if (value.ContainsKey("$ref"))
            {
                value["type"] = "object"; // what "required" applies to, said here too (Ajv's strict mode asks for it)
                Require(value, type);
            }

            foreach (var (key, item) in value)
            {
                node[key] = item?.DeepClone();
            }

            Keywords(node, attribute);
            if (property.GetCustomAttribute<RequiredMemberAttribute>() is null && property.GetValue(defaults) is { } fallback and (int or bool or decimal or string or Enum))
            {
                node["default"] = fallback is Enum member ? JsonNamingPolicy.CamelCase.ConvertName(member.ToString()) : JsonSerializer.SerializeToNode(fallback, fallback.GetType());
            }

            return node;
        }

        private JsonObject Value(Type type, ItemsAttribute? items, KeysAttribute? keys)
        {
            if (type.IsEnum)
            {
                return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. Members(type).Keys.Select(k => (JsonNode)k)]) };
            }

            var simple = type == typeof(string) ? "string" : type == typeof(int) ? "integer" : type == typeof(decimal) ? "number" : type == typeof(bool) ? "boolean" : null;
            if (simple is not null)
            {
                return new JsonObject { ["type"] = simple };
            }

            var map = type.IsGenericType ? type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)) : null;
            if (map is not null)
            {
                return new JsonObject
                {
                    ["type"] = "object",
                    ["propertyNames"] = Keywords(new JsonObject(), keys),
                    ["additionalProperties"] = Keywords(Value(map.GetGenericArguments()[1], null, null), items),
                };
            }

            if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
            {
                return new JsonObject { ["type"] = "array", ["items"] = Keywords(Value(type.GetGenericArguments()[0], null, null), items) };
            }

            return Record(type, inline: false);
        }

        private static Dictionary<string, string> Members(Type type) =>
            type.GetFields(BindingFlags.Public | BindingFlags.Static).ToDictionary(
                f => JsonNamingPolicy.CamelCase.ConvertName(f.Name),
                f => f.GetCustomAttribute<SchemaAttribute>()?.Description ?? throw new InvalidOperationException($"{type.Name}.{f.Name} has no [Schema] description."));

        private static JsonObject Describe(JsonObject node, string? description)
        {
            if (description is not null)
            {
                node["description"] = description;
            }

            return node;
        }

        private JsonObject Keywords(JsonObject node, SchemaKeywordsAttribute? a)
        {
            if (a is null)
            {
                return node;
            }

            void Set(string key, JsonNode? value)
            {
                if (value is not null)
                {
                    node[key] = value;
                }
            }

            static JsonNode? Number(double d) => double.IsNaN(d) ? null : d % 1 == 0 ? JsonValue.Create((long)d) : JsonValue.Create(d);
            static JsonNode? Count(int n) => n < 0 ? null : JsonValue.Create(n);
            if (a.Values is { } list)
            {
                uses[list] = uses.GetValueOrDefault(list) + 1;
                if (shared.Contains(list))
                {
                    Set("$ref", $"#/$defs/{Define(list)}");
                }
                else
                {
                    Set("enum", ListValues(list));
                }
            }

            Set("format", a.Format);
            Set("pattern", a.Pattern is null ? null : Ecma(a.Pattern));
            Set("patternErrorMessage", a.PatternMessage);
            Set("not", a.NotPattern is null ? null : new JsonObject { ["pattern"] = Ecma(a.NotPattern) });
            Set("errorMessage", a.Message);
            Set("minimum", Number(a.Minimum));
            Set("exclusiveMinimum", Number(a.ExclusiveMinimum));
            Set("maximum", Number(a.Maximum));
            Set("minLength", Count(a.MinLength));
            Set("maxLength", Count(a.MaxLength));
            Set("minItems", Count(a.MinItems));
            Set("maxItems", Count(a.MaxItems));
            Set("uniqueItems", a.UniqueItems ? true : null);
            Set("minProperties", Count(a.MinProperties));
            Set("maxProperties", Count(a.MaxProperties));
            return node;
        }

        private JsonArray ListValues(string list) =>
            new([.. ((IEnumerable)lists.GetProperty(list, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!).Cast<object>().Select(v => v is int i ? JsonValue.Create(i) : JsonValue.Create((string)v))]);

        /// <summary>Defines a shared list under <c>$defs</c> (once): its values, of their type.</summary>
        private string Define(string list)
        {
            var name = DefinitionOf(list);
            if (definitions[name] is JsonObject existing && existing["enum"] is null)
            {
                throw new InvalidOperationException($"The list {list} and a record are both named {name} under $defs.");
            }

            if (!definitions.ContainsKey(name))
            {
                var values = ListValues(list);
                definitions[name] = new JsonObject { ["type"] = values.All(v => v!.GetValueKind() == JsonValueKind.Number) ? "integer" : "string", ["enum"] = values };
            }

            return name;
        }
    }
}
