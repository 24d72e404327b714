using Acs.Core.EncryptionKeys;

namespace Acs.Api.EncryptionKeys;

/// <summary>
/// The operator's key-encryption keys, from <c>Acs__EncryptionKeys__KeyEncryptionKey</c> (seals new private keys) and
/// <c>Acs__EncryptionKeys__OtherKeyEncryptionKeys__0..n</c> (still open keys sealed under them; the service re-seals
/// those under the current one at start-up). Each is the base64 of 32 random bytes (<c>openssl rand -base64 32</c>).
/// Optional: without it the service runs, but cannot create SP encryption keys.
/// </summary>
public sealed record KeyEncryptionKeySettings(byte[]? Current, IReadOnlyList<byte[]> Others)
{
    public const string CurrentVariable = "Acs__EncryptionKeys__KeyEncryptionKey";
    public const string OthersVariable = "Acs__EncryptionKeys__OtherKeyEncryptionKeys";

    public static KeyEncryptionKeySettings None { get; } = new(null, []);

    public KeyEncryptionKeyRing ToRing() => new(Current, Others);

    /// <summary>Reads both settings; each malformed value adds one line to <paramref name="errors"/>.</summary>
    public static KeyEncryptionKeySettings Read(IConfiguration configuration, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(errors);
        var current = Decode(configuration["Acs:EncryptionKeys:KeyEncryptionKey"], CurrentVariable, errors);
        var others = new List<byte[]>();
        foreach (var child in configuration.GetSection("Acs:EncryptionKeys:OtherKeyEncryptionKeys").GetChildren())
        {
            if (Decode(child.Value, $"{OthersVariable}__{child.Key}", errors) is { } other)
            {
                others.Add(other);
            }
        }

        if (current is null && others.Count > 0 && !errors.Any(e => e.StartsWith(CurrentVariable, StringComparison.Ordinal)))
        {
            errors.Add($"{OthersVariable}__* is set but {CurrentVariable} is not: keep the new key in {CurrentVariable} and the old ones in {OthersVariable}__0..n");
        }

        return new KeyEncryptionKeySettings(current, others);
    }

    private static byte[]? Decode(string? value, string variable, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var buffer = new byte[value.Length];
        if (Convert.TryFromBase64String(value.Trim(), buffer, out var written) && written == KeyEncryptionKeyRing.KeyBytes)
        {
            return buffer[..written];
        }

        errors.Add($"{variable} is not the base64 of {KeyEncryptionKeyRing.KeyBytes} random bytes: make one with openssl rand -base64 32");
        return null;
    }
}
