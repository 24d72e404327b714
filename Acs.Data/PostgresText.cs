namespace Acs.Data;

/// <summary>
/// PostgreSQL text cannot hold U+0000 (it refuses the whole statement with 22021). Texts that quote untrusted input
/// (parser messages, received values, user agents) are stored with each NUL replaced by U+FFFD, so hostile input is
/// recorded instead of failing the request.
/// </summary>
public static class PostgresText
{
    public static string? Storable(string? text) =>
        text is null || !text.Contains('\0', StringComparison.Ordinal) ? text : text.Replace('\0', '\uFFFD');
}
