using System.Globalization;
using System.Text;

namespace Acs.Api.Login;

/// <summary>
/// Where to send the browser after sign-in: only a path on the same tenant host (no open redirect), written as ASCII
/// so it is always a valid Location header. Anything else becomes <c>/</c>.
/// </summary>
public static class RelayStates
{
    public const int MaxLength = 1024;

    /// <summary>Percent-encoding can triple a path (or more, for non-ASCII); past this the landing page is safer.</summary>
    public const int MaxRedirectLength = 2048;

    public static string SafeRedirectPath(string? relayState)
    {
        if (string.IsNullOrEmpty(relayState) || relayState.Length > MaxLength)
        {
            return "/";
        }

        // "//host" and "/\host" are other hosts to a browser (which reads "\" as "/"); a control character (tab, CR, LF)
        // is removed or breaks the header; "://" keeps absolute URLs out however they are dressed up.
        var isLocalPath = relayState[0] == '/'
                          && (relayState.Length == 1 || relayState[1] is not ('/' or '\\'))
                          && !relayState.Contains('\\', StringComparison.Ordinal)
                          && !relayState.Any(char.IsControl)
                          && !relayState.Contains("://", StringComparison.Ordinal);
        if (!isLocalPath)
        {
            return "/";
        }

        var encoded = PercentEncode(relayState);
        return encoded is null || encoded.Length > MaxRedirectLength ? "/" : encoded;
    }

    /// <summary>
    /// Keeps the characters a URL path and query may carry as they are (and valid %XX escapes), percent-encodes the
    /// rest as UTF-8 (so <c>/café</c> becomes <c>/caf%C3%A9</c>). Null for text that is not valid UTF-16.
    /// </summary>
    private static string? PercentEncode(string path)
    {
        var builder = new StringBuilder(path.Length + 16);
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c == '%')
            {
                var escape = i + 2 < path.Length && Uri.IsHexDigit(path[i + 1]) && Uri.IsHexDigit(path[i + 2]);
                builder.Append(escape ? "%" : "%25");
                continue;
            }

            if (IsAllowed(c))
            {
                builder.Append(c);
                continue;
            }

            int length;
            if (char.IsHighSurrogate(c) && i + 1 < path.Length && char.IsLowSurrogate(path[i + 1]))
            {
                length = Encoding.UTF8.GetBytes(path.AsSpan(i, 2), utf8);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return null;
            }
            else
            {
                length = Encoding.UTF8.GetBytes(path.AsSpan(i, 1), utf8);
            }

            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>RFC 3986 unreserved and sub-delims, plus ':', '@', '/', '?' and '#': what a path, query and fragment hold.</summary>
    private static bool IsAllowed(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '-' or '.' or '_' or '~' or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '='
            or ':' or '@' or '/' or '?' or '#';
}
