using Acs.Api.Hosting;
using Acs.Core.Telemetry;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Acs.Api.Telemetry;

/// <summary>
/// OpenTelemetry: the service's own meter, ASP.NET Core's <c>http.server.*</c>, Npgsql's <c>db.client.*</c> and the
/// runtime's metrics, exported for a Prometheus scrape at <c>/metrics</c>; spans of the sign-in with Npgsql's spans
/// beneath them, recorded when tracing is on (<see cref="AcsSettings.TracingEnabled"/>) and sent over OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector.
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    public const string ServiceName = "acs-service";

    public static IServiceCollection AddAcsTelemetry(this IServiceCollection services, AcsSettings settings, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => metrics
                .AddMeter(AcsMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter());
        if (!settings.TracingEnabled)
        {
            return services;
        }

        telemetry.WithTracing(tracing =>
            {
                tracing
                    .AddSource(TelemetryAttributes.ActivitySourceName)
                    .AddAspNetCoreInstrumentation(options => options.Filter = http => !MetricsEndpoint.IsMetricsPath(http.Request.Path))
                    .AddNpgsql();
                if (!string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                {
                    tracing.AddOtlpExporter();
                }
            });
        return services;
    }

    /// <summary>
    /// With <c>Acs__Metrics__Port</c> set, Kestrel listens on that port too, beside the main addresses (ASPNETCORE_URLS,
    /// ASPNETCORE_HTTP_PORTS, or Kestrel's default).
    /// </summary>
    public static IWebHostBuilder UseAcsMetricsPort(this IWebHostBuilder webHost, IConfiguration configuration, AcsSettings settings)
    {
        if (settings.MetricsPort is not { } port)
        {
            return webHost;
        }

        var main = MainUrls(configuration);
        return webHost.UseUrls([.. main, $"http://*:{port}"]);
    }

    private static List<string> MainUrls(IConfiguration configuration)
    {
        static List<string> Split(string value) => value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

        if (configuration["urls"] is { Length: > 0 } urls)
        {
            return Split(urls);
        }

        if (configuration["http_ports"] is { Length: > 0 } ports)
        {
            return Split(ports).Select(p => $"http://*:{p}").ToList();
        }

        return ["http://localhost:5000"];
    }
}
