using System.Globalization;
using System.Net;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Api.Telemetry;

/// <summary>The built service with <c>Acs__Metrics__Port</c>: Kestrel serves /metrics on that port alone.</summary>
[Category("Slow")]
public sealed class MetricsPortTests
{
    [Test]
    public async Task Service_WithMetricsPort_ServesMetricsOnlyThereAndNothingElseThere()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("metrics-port");
        var metricsPort = ServiceProcess.FreePort();
        await using var service = await ServiceProcess.StartAsync(connectionString, "Production", new Dictionary<string, string>
        {
            ["Acs__Metrics__Port"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        using var onMetricsPort = await http.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/metrics"));
        var text = await onMetricsPort.Content.ReadAsStringAsync();
        using var onMainPort = await http.GetAsync(new Uri($"http://127.0.0.1:{service.Port}/metrics"));
        using var readyOnMetricsPort = await http.GetAsync(new Uri($"http://127.0.0.1:{metricsPort}/readyz"));
        using var readyOnMainPort = await http.GetAsync(new Uri($"http://127.0.0.1:{service.Port}/readyz"));

        Assert.That(onMetricsPort.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(MetricsEndpointTests.Series(text, "http_server_request_duration_seconds_count"), Has.Some.Contains("http_route=\"/readyz\""),
            "ASP.NET Core's own http.server metrics");
        Assert.That(text, Does.Contain("# TYPE db_client_operation_duration_seconds histogram"));
        Assert.That(onMainPort.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await onMainPort.Content.ReadAsStringAsync(), Does.Not.Contain("# TYPE"));
        Assert.That(readyOnMetricsPort.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "the metrics port serves nothing else");
        Assert.That(readyOnMainPort.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
