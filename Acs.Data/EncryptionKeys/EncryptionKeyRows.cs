using System.Text.Json;
using System.Text.Json.Serialization;
using Acs.Core.EncryptionKeys;

namespace Acs.Data.EncryptionKeys;

/// <summary>The tenant read's <c>encryption_keys</c> column: the tenant's keys as one JSON array, so the tenant, its
/// keys and its config_version come from one statement and agree.</summary>
internal static class EncryptionKeyRows
{
    public static IReadOnlyList<SpEncryptionKey> Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }

        var rows = JsonSerializer.Deserialize<List<Row>>(json) ?? [];
        return rows.Select(r => new SpEncryptionKey(r.Id, r.Status, Convert.FromBase64String(r.Der), r.Sha256, r.NotBefore.ToUniversalTime(),
                r.NotAfter.ToUniversalTime(), r.CreatedAt.ToUniversalTime(), r.StatusChangedAt.ToUniversalTime(),
                new SealedPrivateKey(r.KekId, Convert.FromBase64String(r.Sealed))))
            .ToArray();
    }

    private sealed class Row
    {
        [JsonPropertyName("id")] public Guid Id { get; init; }
        [JsonPropertyName("status")] public string Status { get; init; } = "";
        [JsonPropertyName("der")] public string Der { get; init; } = "";
        [JsonPropertyName("sha256")] public string Sha256 { get; init; } = "";
        [JsonPropertyName("notBefore")] public DateTimeOffset NotBefore { get; init; }
        [JsonPropertyName("notAfter")] public DateTimeOffset NotAfter { get; init; }
        [JsonPropertyName("createdAt")] public DateTimeOffset CreatedAt { get; init; }
        [JsonPropertyName("statusChangedAt")] public DateTimeOffset StatusChangedAt { get; init; }
        [JsonPropertyName("kekId")] public string KekId { get; init; } = "";
        [JsonPropertyName("sealed")] public string Sealed { get; init; } = "";
    }
}
