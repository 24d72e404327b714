using System.Collections.Concurrent;
using Acs.Core.Tenants;

namespace Acs.Core.Certificates;

/// <summary>
/// Parsed certificates by SHA-256 thumbprint. A certificate's bytes never change under its thumbprint, so entries
/// need no invalidation; the cache is bounded so a long-running process cannot grow without limit.
/// </summary>
public static class TrustedCertificateCache
{
    private const int MaxEntries = 10_000;
    private static readonly ConcurrentDictionary<string, TrustedCertificate> Parsed = new(StringComparer.Ordinal);

    public static IReadOnlyList<TrustedCertificate> For(IReadOnlyList<IdpCertificate> certificates)
    {
        var result = new TrustedCertificate[certificates.Count];
        for (var i = 0; i < certificates.Count; i++)
        {
            var stored = certificates[i];
            if (!Parsed.TryGetValue(stored.ThumbprintSha256, out var parsed) || !parsed.Matches(stored.Der))
            {
                parsed = TrustedCertificate.FromDer(stored.Der);
                if (Parsed.Count >= MaxEntries)
                {
                    Parsed.Clear();
                }

                Parsed[parsed.ThumbprintSha256] = parsed;
            }

            result[i] = parsed;
        }

        return result;
    }
}
