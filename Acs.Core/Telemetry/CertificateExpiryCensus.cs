using Acs.Core.Tenants;

namespace Acs.Core.Telemetry;

/// <summary>Trusted IdP certificates across all tenants, counted by expiry.</summary>
public sealed record CertificateExpiryCounts(long Valid, long Expiring, long Expired);

/// <summary>The port: one aggregate query over every tenant's trusted certificates.</summary>
public interface ICertificateInventory
{
    /// <summary>Counts certificates whose end is at or before <paramref name="now"/> (expired), at or before
    /// <paramref name="expiringBy"/> (expiring) and after it (valid).</summary>
    Task<CertificateExpiryCounts> CountByExpiryAsync(DateTimeOffset now, DateTimeOffset expiringBy, CancellationToken cancellationToken);

    /// <summary>Certificates ending after <paramref name="endingAfter"/> (when given) and at or before <paramref name="endingBy"/>, in any tenant, soonest first.</summary>
    Task<Administration.Page<TenantCertificate>> ListEndingByAsync(DateTimeOffset endingBy, DateTimeOffset? endingAfter, int offset, int limit,
        CancellationToken cancellationToken);
}

/// <summary>A trusted certificate with the tenant that trusts it (the operator's view across tenants).</summary>
public sealed record TenantCertificate(Guid TenantId, string Subdomain, string ThumbprintSha256, string Subject, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

/// <summary>
/// Keeps the <c>acs.idp_certificates</c> gauge current. Refreshed when metrics are collected, at most once per
/// <see cref="MaxAge"/>, so scrapes every few seconds cost one cheap query a quarter-minute per replica.
/// </summary>
public sealed class CertificateExpiryCensus(ICertificateInventory inventory, AcsMetrics metrics, Rollover.CertificateExpiryOptions expiry, TimeProvider time)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private DateTimeOffset? _countedAt;

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (IsFresh())
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (IsFresh())
            {
                return;
            }

            var now = time.GetUtcNow();
            var counts = await inventory.CountByExpiryAsync(now, now.AddDays(expiry.ExpiringWithinDays), cancellationToken);
            metrics.CertificatesCounted(counts);
            _countedAt = now;
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool IsFresh() => _countedAt is { } at && time.GetUtcNow() - at < MaxAge;
}
