using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Acs.Testing.Reliability;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Acs.Tests.Reliability;

/// <summary>
/// The database going away under the ACS: while it is down every login is answered 503 with Retry-After within a bound
/// (never 500, never a hang); once it is back, logins succeed again within 10 s without restarting the service; and no
/// login is left half-written. An exhausted connection pool is the same: a bounded wait, then 503.
/// </summary>
[TestFixture]
[Category("Slow")]
[NonParallelizable]
public sealed class DatabaseFaultTests
{
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(10);

    [Test]
    public async Task Logins_WhenTheDatabaseStopsAndStartsAgain_Get503WithRetryAfterThenSucceedWithin10sAndNothingIsHalfWritten()
    {
        await using var cluster = await LocalPostgresCluster.StartPrivateAsync();
        // Timeout= bounds connecting (and waiting for a pooled connection); Command Timeout= bounds a statement.
        var connectionString = cluster.ConnectionString + ";Timeout=3;Command Timeout=5";
        await using var factory = new AcsApiFactory(connectionString);
        _ = factory.Server; // migrates the cluster's database
        await using var db = NpgsqlDataSource.Create(cluster.ConnectionString);
        await ReliabilitySite.CreateTenantAsync(db, "restart", TestIdpKeys.Default.Trusted);
        var site = new ReliabilitySite("restart", "https://restart.statuspage.io", TestIdpKeys.Default, factory.Clock.GetUtcNow);
        var logins = new ConcurrentQueue<string>(Enumerable.Range(0, 600).Select(n => site.DistinctLoginBase64(n, "restart")));
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://restart.statuspage.io"),
            AllowAutoRedirect = false,
            HandleCookies = false,
        });
        client.Timeout = AnswerBound + TimeSpan.FromSeconds(5);

        async Task<(HttpStatusCode Status, TimeSpan? RetryAfter, TimeSpan Took)> LoginAsync()
        {
            Assert.That(logins.TryDequeue(out var login), Is.True, "ran out of pre-signed logins");
            var started = Stopwatch.GetTimestamp();
            using var response = await client.PostAsync(new Uri("/sso/saml/consume", UriKind.Relative),
                new FormUrlEncodedContent([new("SAMLResponse", login!)]));
            return (response.StatusCode, response.Headers.RetryAfter?.Delta, Stopwatch.GetElapsedTime(started));
        }

        Assert.That((await LoginAsync()).Status, Is.EqualTo(HttpStatusCode.SeeOther), "a login before the outage");

        // Logins keep flowing from two clients through the outage and the restart.
        var flowing = new ConcurrentBag<(HttpStatusCode Status, TimeSpan? RetryAfter, TimeSpan Took)>();
        using var stopFlow = new CancellationTokenSource();
        var flow = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stopFlow.IsCancellationRequested)
            {
                flowing.Add(await LoginAsync());
                await Task.Delay(20);
            }
        })).ToArray();
        await Task.Delay(500);

        await cluster.StopAsync();
        var outage = await LoginAsync();
        using (var ready = await client.GetAsync(new Uri("/readyz", UriKind.Relative)))
        {
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "/readyz while the database is down");
        }

        await Task.Delay(TimeSpan.FromSeconds(2));
        await cluster.StartAgainAsync();
        var restarted = Stopwatch.StartNew();
        var recovered = false;
        while (!recovered && restarted.Elapsed < RecoveryBound)
        {
            recovered = (await LoginAsync()).Status == HttpStatusCode.SeeOther;
            if (!recovered)
            {
                await Task.Delay(100);
            }
        }

        var recoveryTime = restarted.Elapsed;
        await stopFlow.CancelAsync();
        await Task.WhenAll(flow);
        await using var afterRestart = NpgsqlDataSource.Create(cluster.ConnectionString); // the old pool's connections died
        var consistency = await ReliabilitySite.CheckConsistencyAsync(afterRestart);

        var byStatus = flowing.GroupBy(r => (int)r.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}");
        await TestContext.Progress.WriteLineAsync(
            $"database restart: outage login {(int)outage.Status} in {outage.Took.TotalMilliseconds:F0} ms (Retry-After {outage.RetryAfter?.TotalSeconds}s); " +
            $"logins succeed again {recoveryTime.TotalSeconds:F2}s after the restart; flowing logins: {string.Join(", ", byStatus)}, " +
            $"slowest {flowing.Max(r => r.Took).TotalMilliseconds:F0} ms; half-written: " +
            string.Join(", ", consistency.Select(c => $"{c.Key}={c.Value}")));

        Assert.Multiple(() =>
        {
            Assert.That(outage.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "a login while the database is down");
            Assert.That(outage.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(outage.Took, Is.LessThan(AnswerBound));
            Assert.That(recovered, Is.True, $"no login succeeded within {RecoveryBound.TotalSeconds} s of the restart");
            Assert.That(flowing.Select(r => r.Status), Is.All.AnyOf(HttpStatusCode.SeeOther, HttpStatusCode.ServiceUnavailable),
                "logins through the outage are answered 303 or 503, nothing else");
            Assert.That(flowing.Where(r => r.Status == HttpStatusCode.ServiceUnavailable).Select(r => r.RetryAfter), Is.All.Not.Null);
            Assert.That(flowing.Select(r => r.Took), Is.All.LessThan(AnswerBound));
            Assert.That(flowing.Count(r => r.Status == HttpStatusCode.ServiceUnavailable), Is.GreaterThan(0), "the flow saw the outage");
            Assert.That(consistency.Values, Is.All.EqualTo(0), "half-written logins");
        });
    }

    [Test]
    public async Task Login_WhenThePoolsOnlyConnectionIsHeld_Gets503WithRetryAfterWithinSecondsThenSucceedsOnceItIsFree()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("poolexhaust") + ";Maximum Pool Size=1;Timeout=2";
        // Only the login and the test compete for the one connection: background work would take it at start-up.
        await using var factory = new AcsApiFactory(connectionString) { ConfigureServices = AcsApiFactory.WithoutPooledBackgroundWork };
        _ = factory.Server;
        await using (var db = NpgsqlDataSource.Create(connectionString))
        {
            await ReliabilitySite.CreateTenantAsync(db, "pool", TestIdpKeys.Default.Trusted);
        }

        var site = new ReliabilitySite("pool", "https://pool.statuspage.io", TestIdpKeys.Default, factory.Clock.GetUtcNow);
        using var client = factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            BaseAddress = new Uri("https://pool.statuspage.io"),
            AllowAutoRedirect = false,
            HandleCookies = false,
        });
        client.Timeout = TimeSpan.FromSeconds(30);
        var login = site.DistinctLoginBase64(1, "pool");

        var serviceDataSource = factory.Services.GetRequiredService<NpgsqlDataSource>();
        var held = await serviceDataSource.OpenConnectionAsync();
        var stopwatch = Stopwatch.StartNew();
        using (var exhausted = await client.PostAsync(new Uri("/sso/saml/consume", UriKind.Relative),
                   new FormUrlEncodedContent([new("SAMLResponse", login)])))
        {
            stopwatch.Stop();
            await TestContext.Progress.WriteLineAsync($"pool exhausted: {(int)exhausted.StatusCode} after {stopwatch.Elapsed.TotalSeconds:F2}s");
            Assert.That(exhausted.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(exhausted.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "a bounded wait for a connection");
            Assert.That(stopwatch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1.5)), "it waited for the pool first");
        }

        await held.DisposeAsync();
        using var afterwards = await client.PostAsync(new Uri("/sso/saml/consume", UriKind.Relative),
            new FormUrlEncodedContent([new("SAMLResponse", login)]));
        Assert.That(afterwards.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther), "the same login succeeds once a connection is free");
    }
}
