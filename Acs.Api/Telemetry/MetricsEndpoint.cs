using Acs.Api.Hosting;
using Acs.Core.Telemetry;

namespace Acs.Api.Telemetry;

/// <summary>
/// The Prometheus scrape endpoint <c>/metrics</c>. It needs no key (Prometheus scrapes it from the internal network),
/// so it is kept off every tenant site: on the main port it answers only when the Host is no tenant site (e.g.
/// <c>127.0.0.1:8080</c>), and a tenant's <c>/metrics</c> is that tenant's 404. With <c>Acs__Metrics__Port</c> it is
/// served only on that port, which serves nothing else.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    private static readonly TimeSpan CensusPatience = TimeSpan.FromSeconds(2);

    public static bool IsMetricsPath(PathString path) => path.Equals(Path, StringComparison.OrdinalIgnoreCase);

    public static WebApplication UseAcsMetricsEndpoint(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<AcsSettings>();
        if (settings.MetricsPort is { } port)
        {
            app.UseWhen(http => http.Connection.LocalPort == port && !IsMetricsPath(http.Request.Path),
                branch => branch.Run(static http =>
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }));
        }

        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: null,
            predicate: http => IsScrape(http, settings),
            path: null,
            configureBranchedPipeline: branch => branch.Use(async (http, next) =>
            {
                await RefreshCertificateCensusAsync(http);
                await next(http);
            }),
            optionsName: null);
        return app;
    }

    private static bool IsScrape(HttpContext http, AcsSettings settings)
    {
        if (!IsMetricsPath(http.Request.Path) || !(HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method)))
        {
            return false;
        }

        if (settings.MetricsPort is { } port)
        {
            return http.Connection.LocalPort == port;
        }

        var host = http.Request.Host.Value;
        return !settings.PublicUrls.Any(template => template.TryMatchHost(host, out _));
    }

    /// <summary>The certificate gauge is counted from the database at most every 15 s; a slow or absent database
    /// leaves the last counts in place and never fails the scrape.</summary>
    private static async Task RefreshCertificateCensusAsync(HttpContext http)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        patience.CancelAfter(CensusPatience);
        try
        {
            await http.RequestServices.GetRequiredService<CertificateExpiryCensus>().RefreshAsync(patience.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !http.RequestAborted.IsCancellationRequested)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(MetricsEndpoint))
                .LogWarning("Counting IdP certificates for /metrics failed: {Reason}", ex.Message);
        }
    }
}
