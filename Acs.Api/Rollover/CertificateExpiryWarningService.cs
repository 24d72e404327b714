using Acs.Core.Rollover;
using Acs.Core.Telemetry;
using Acs.Core.Tenants;

namespace Acs.Api.Rollover;

/// <summary>
/// Once a day (on each replica), one warning line per tenant that trusts an expired certificate or one ending within
/// <c>Acs__Certificates__ExpiringWithinDays</c>: the operator's reminder to roll over before sign-in breaks.
/// </summary>
public sealed class CertificateExpiryWarningService(ICertificateInventory inventory, CertificateExpiryOptions expiry, TimeProvider time,
    ILogger<CertificateExpiryWarningService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);
    private const int PageSize = 500;
    private const int MaxCertificates = 100_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await WarnAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("The daily certificate expiry check failed: {Reason}", ex.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    internal async Task WarnAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var certificates = new List<TenantCertificate>();
        for (var offset = 0; offset < MaxCertificates; offset += PageSize)
        {
            var page = await inventory.ListEndingByAsync(now.AddDays(expiry.ExpiringWithinDays), null, offset, PageSize, cancellationToken);
            certificates.AddRange(page.Items);
            if (page.Items.Count < PageSize)
            {
                break;
            }
        }

        foreach (var tenant in certificates.GroupBy(c => c.Subdomain, StringComparer.Ordinal))
        {
            var expired = tenant.Count(c => c.NotAfter <= now);
            var soonest = tenant.MinBy(c => c.NotAfter)!;
            logger.LogWarning(
                "Tenant {Subdomain} trusts {Expired} expired and {Expiring} expiring IdP signing certificates; the first ends {NotAfter:u} ({Thumbprint}, {Status}). Roll over: GET /admin/certificates?status=expiring",
                tenant.Key, expired, tenant.Count() - expired, soonest.NotAfter, soonest.ThumbprintSha256,
                CertificateStatus.Of(soonest.NotAfter, now, expiry.ExpiringWithinDays));
        }
    }
}
