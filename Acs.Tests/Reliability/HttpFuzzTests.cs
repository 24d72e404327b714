using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Acs.Testing.Reliability;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Acs.Tests.Reliability;

/// <summary>
/// Hostile input through the whole HTTP pipeline (in process, real database): ten thousand seeded requests against a
/// configured tenant's ACS never produce a 5xx or a hang, and nothing they carry reaches a log line.
/// </summary>
[TestFixture]
[Category("Slow")]
[NonParallelizable]
public sealed class HttpFuzzTests
{
    private const int Inputs = 10_000;
    private const int TenMegabyteBodies = 4;
    private const int Concurrency = 4;
    private const int Seed = 20260308;
    private static readonly TimeSpan PerRequestBound = TimeSpan.FromSeconds(30);

    [Test]
    public async Task Consume_UnderTenThousandHostileRequests_AnswersNothingAbove499AndLogsNoResponseContent()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("httpfuzz");
        await using (var db = NpgsqlDataSource.Create(connectionString))
        {
            await ReliabilitySite.CreateTenantAsync(db, "fuzz", TestIdpKeys.Default.Trusted);
        }

        var logs = new CapturingLoggerProvider(HostileInputs.Marker, HostileInputs.EncodedResponsePrefix);
        await using var factory = new AcsApiFactory(connectionString);
        await using var logged = factory.WithWebHostBuilder(web => web.ConfigureLogging(logging =>
        {
            // Every category at Debug, stricter than production (appsettings.json: Information, Microsoft.AspNetCore at
            // Warning) — except the hosting request-line log, which prints the URL with its query string at Information
            // and stays at the configured Warning (docs/reliability.md says why it must).
            logging.ClearProviders();
            logging.AddProvider(logs);
            logging.AddFilter<CapturingLoggerProvider>(null, LogLevel.Debug);
            logging.AddFilter<CapturingLoggerProvider>("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        }));
        using var client = logged.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://fuzz.statuspage.io"),
            AllowAutoRedirect = false,
            HandleCookies = false,
        });
        client.Timeout = PerRequestBound;

        var site = new ReliabilitySite("fuzz", "https://fuzz.statuspage.io", TestIdpKeys.Default, factory.Clock.GetUtcNow);
        using var inputs = new HostileInputs(Seed, site, "fuzz.statuspage.io").Generate(Inputs, TenMegabyteBodies).GetEnumerator();
        var byStatus = new ConcurrentDictionary<int, int>();
        var byKindAndStatus = new ConcurrentDictionary<string, int>();
        var failures = new ConcurrentQueue<string>();
        var sent = 0;
        var stopwatch = Stopwatch.StartNew();

        async Task Worker()
        {
            while (true)
            {
                HostileRequest request;
                lock (inputs)
                {
                    if (!inputs.MoveNext())
                    {
                        return;
                    }

                    request = inputs.Current;
                }

                Interlocked.Increment(ref sent);
                int status;
                try
                {
                    using var message = request.ToMessage(client.BaseAddress!);
                    using var response = await client.SendAsync(message);
                    status = (int)response.StatusCode;
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException)
                {
                    failures.Enqueue($"{request} -> {ex.GetType().Name}: {ex.Message}");
                    status = -1;
                }

                byStatus.AddOrUpdate(status, 1, (_, n) => n + 1);
                byKindAndStatus.AddOrUpdate($"{request.Kind} {status}", 1, (_, n) => n + 1);
                if (status >= 500 || IsConsume(request) && status is not (303 or (>= 400 and < 500)))
                {
                    failures.Enqueue($"{request} -> {status}");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(Worker)));
        stopwatch.Stop();

        await TestContext.Progress.WriteLineAsync(
            $"HTTP fuzz: {sent} requests in {stopwatch.Elapsed.TotalSeconds:F1}s ({Concurrency} concurrent, seed {Seed}, " +
            $"{TenMegabyteBodies} × 10 MB bodies); by status: " +
            string.Join(", ", byStatus.OrderBy(s => s.Key).Select(s => $"{s.Key}={s.Value}")) +
            $"; 5xx={byStatus.Where(s => s.Key >= 500).Sum(s => s.Value)}; log lines seen: {logs.Lines}");
        await TestContext.Progress.WriteLineAsync("  by kind: " +
            string.Join(", ", byKindAndStatus.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key}={k.Value}")));

        Assert.Multiple(() =>
        {
            Assert.That(sent, Is.EqualTo(Inputs));
            Assert.That(failures, Is.Empty, "requests answered 5xx, hung, or answered the ACS with neither 303 nor 4xx; errors logged: "
                                           + string.Join(Environment.NewLine, logs.Errors));
            Assert.That(byStatus.Keys.Where(s => s >= 500), Is.Empty);
            Assert.That(byStatus.Keys, Is.SupersetOf(new[] { 400, 403, 404, 405, 413 }), "the mix should reach every kind of refusal");
            Assert.That(logs.Lines, Is.GreaterThan(Inputs), "the log capture saw the requests");
            Assert.That(logs.Leaks, Is.Empty, "log lines carried SAMLResponse content");
        });
    }

    private static bool IsConsume(HostileRequest request) =>
        request.Method == "POST" && request.PathAndQuery.Equals(HostileInputs.ConsumePath, StringComparison.OrdinalIgnoreCase);
}
