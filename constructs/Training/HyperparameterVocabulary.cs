using System.Text.Json.Nodes;

namespace HfSageMaker.Constructs.Training;

/// <summary>
/// The words a string hyperparameter takes and the spellings of each word (for a recipe: a vocabulary of
/// <c>training-scripts/hf_recipe/vocabularies.json</c>, which the script's parser reads too). A value matches a spelling
/// after the <see cref="Blanks"/> around it are removed and its ASCII letters lowered; it then means the word, which
/// the script and the hyperparameter's rules see. PrepareRequest reads the same vocabulary from the policy.
/// </summary>
/// <param name="Name">The vocabulary's name, e.g. <c>autoBoolean</c>.</param>
/// <param name="Words">The words, in the order messages list them, e.g. <c>auto</c>, <c>true</c>, <c>false</c>.</param>
/// <param name="Spellings">Each word's spellings (lowercase, the word among them), e.g. <c>true</c>: <c>true</c>, <c>yes</c>, <c>1</c>.</param>
/// <param name="Blanks">The characters removed around a value before it is matched.</param>
public sealed record HyperparameterVocabulary(string Name, IReadOnlyList<string> Words, IReadOnlyDictionary<string, IReadOnlyList<string>> Spellings, string Blanks)
{
    /// <summary>The word <paramref name="value"/> spells, or null.</summary>
    /// <param name="value">A value as a run gives it.</param>
    /// <returns>The word, or null.</returns>
    public string? WordOf(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var folded = new string([.. value.Trim(Blanks.ToCharArray()).Select(c => c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c)]);
        return Words.FirstOrDefault(w => Spellings.TryGetValue(w, out var spellings) && spellings.Contains(folded, StringComparer.Ordinal));
    }

    /// <summary>
    /// What is allowed, in words: <c>"auto", "true" or "false" (any case; "yes" or "1" for "true", "no" or "0" for
    /// "false")</c> (the script's parser words it the same way).
    /// </summary>
    /// <returns>The description.</returns>
    public string Describe()
    {
        var quoted = Words.Select(w => $"\"{w}\"").ToList();
        var text = quoted.Count == 1 ? quoted[0] : string.Join(", ", quoted.Take(quoted.Count - 1)) + " or " + quoted[^1];
        var others = Words
            .Select(w => (Word: w, Others: Spellings.TryGetValue(w, out var s) ? s.Where(x => x != w).ToList() : []))
            .Where(x => x.Others.Count > 0)
            .Select(x => string.Join(" or ", x.Others.Select(o => $"\"{o}\"")) + $" for \"{x.Word}\"")
            .ToList();
        return text + " (any case" + (others.Count > 0 ? "; " + string.Join(", ", others) : "") + ")";
    }

    /// <summary>The vocabulary as PrepareRequest reads it from the policy.</summary>
    /// <returns><c>{ name, words, spellings, blanks }</c>.</returns>
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["words"] = new JsonArray([.. Words.Select(w => (JsonNode?)JsonValue.Create(w))]),
        ["spellings"] = new JsonObject(Words.Select(w => KeyValuePair.Create(w,
            (JsonNode?)new JsonArray([.. (Spellings.TryGetValue(w, out var s) ? s : []).Select(x => (JsonNode?)JsonValue.Create(x))])))),
        ["blanks"] = Blanks,
    };
}
