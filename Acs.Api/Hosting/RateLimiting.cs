using System.Globalization;
using System.Threading.RateLimiting;
using Acs.Api.Pages;
using Acs.Core.Telemetry;

namespace Acs.Api.Hosting;

/// <summary>
/// Abuse limits on the two doors that matter: the ACS (per client address and per tenant) and the admin API (per
/// client address). Everything else (pages, health) is not limited. A refusal is 429 with Retry-After.
/// </summary>
public static class RateLimiting
{
    private enum Door
    {
        None,
        Consume,
        Admin,
    }

    public static IServiceCollection AddAcsRateLimiting(this IServiceCollection services, AcsSettings settings)
    {
        var limits = settings.RateLimits;
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 60;
                context.HttpContext.RequestServices.GetRequiredService<AcsMetrics>()
                    .RateLimitRejected(DoorOf(context.HttpContext) == Door.Admin ? "admin" : "consume");
                context.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await ErrorResults.TooManyRequests(context.HttpContext).ExecuteAsync(context.HttpContext);
            };

            var perAddress = PartitionedRateLimiter.Create<HttpContext, string>(http => DoorOf(http) switch
            {
                Door.Consume => Bucket("consume-address:" + Address(http), limits.ConsumePerAddressPerMinute),
                Door.Admin => Bucket("admin-address:" + Address(http), limits.AdminPerAddressPerMinute),
                _ => RateLimitPartition.GetNoLimiter("unlimited"),
            });
            var perTenant = PartitionedRateLimiter.Create<HttpContext, string>(http => DoorOf(http) == Door.Consume
                ? Bucket("consume-tenant:" + Tenant(http, settings), limits.ConsumePerTenantPerMinute)
                : RateLimitPartition.GetNoLimiter("unlimited"));
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(perAddress, perTenant);
        });
        return services;
    }

    private static Door DoorOf(HttpContext http)
    {
        var path = http.Request.Path;
        if (path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase))
        {
            return Door.Admin;
        }

        return HttpMethods.IsPost(http.Request.Method) && path.Equals("/sso/saml/consume", StringComparison.OrdinalIgnoreCase)
            ? Door.Consume
            : Door.None;
    }

    private static RateLimitPartition<string> Bucket(string key, int perMinute) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, perMinute / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static string Address(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    // The matched subdomain, so odd Host headers cannot create a partition each.
    private static string Tenant(HttpContext http, AcsSettings settings)
    {
        foreach (var template in settings.PublicUrls)
        {
            if (template.TryMatchHost(http.Request.Host.Value, out var subdomain))
            {
                return subdomain;
            }
        }

        return "-";
    }
}
