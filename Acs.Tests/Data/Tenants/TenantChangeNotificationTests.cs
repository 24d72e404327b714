using System.Diagnostics;
using Acs.Data;
using Acs.Data.Tenants;
using Acs.Testing.Tenants;
using Acs.Tests.TestInfrastructure;
using Dapper;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Acs.Tests.Data.Tenants;

/// <summary>
/// The tenant cache without a round trip per request: notifications drop a changed tenant on every replica, and while
/// they do not flow, an entry is trusted for at most <see cref="CachedTenantDirectory.StaleAfter"/>. Changes are made
/// through another connection, as another replica or an operator with psql would make them.
/// </summary>
public sealed class TenantChangeNotificationTests
{
    /// <summary>The bound docs/performance.md promises while notifications flow (they arrive within milliseconds).</summary>
    private static readonly TimeSpan NotificationBound = TimeSpan.FromSeconds(2);

    private string _connectionString = null!;
    private NpgsqlDataSource _writer = null!;

    [OneTimeSetUp]
    public async Task CreateDatabase()
    {
        _connectionString = await PostgresServer.CreateDatabaseAsync("tenantnotify");
        _writer = NpgsqlDataSource.Create(_connectionString);
    }

    [OneTimeTearDown]
    public async Task DropDataSource() => await _writer.DisposeAsync();

    private NpgsqlDataSource FeedSource() => new NpgsqlDataSourceBuilder(_connectionString)
    {
        ConnectionStringBuilder = { MaxPoolSize = 1, ApplicationName = DataServiceCollectionExtensions.TenantChangeFeedApplicationName },
    }.Build();

    private async Task<Guid> CreateTenantAsync(string subdomain) =>
        await TenantSeeder.InsertAsync(_writer, new SeedTenant(subdomain) { DisplayName = "Notified" });

    private async Task SetJitAsync(Guid id, bool enabled)
    {
        await using var connection = await _writer.OpenConnectionAsync();
        await connection.ExecuteAsync("UPDATE tenants SET jit_enabled = @enabled WHERE id = @id", new { id, enabled });
    }

    private static async Task StartListeningAsync(TenantChangeFeed feed, CancellationToken stop)
    {
        _ = feed.RunAsync(stop);
        var waited = Stopwatch.StartNew();
        while (!feed.IsListening)
        {
            Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "the feed never started listening");
            await Task.Delay(20);
        }
    }

    private static async Task<TimeSpan> TimeUntilJitIsAsync(CachedTenantDirectory directory, string subdomain, bool expected)
    {
        var waited = Stopwatch.StartNew();
        while ((await directory.FindBySubdomainAsync(subdomain, CancellationToken.None))!.Policy.JitEnabled != expected)
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.Fail($"after {waited.Elapsed.TotalSeconds:0.0} s the cache still serves the old tenant");
            }

            await Task.Delay(10);
        }

        return waited.Elapsed;
    }

    [Test]
    public async Task WhileListening_ACachedTenantIsServedWithoutTheDatabase()
    {
        await CreateTenantAsync("quiet");
        using var stop = new CancellationTokenSource();
        await using var feedSource = FeedSource();
        var feed = new TenantChangeFeed(feedSource, TimeProvider.System);
        await StartListeningAsync(feed, stop.Token);
        var pool = NpgsqlDataSource.Create(_connectionString);
        var directory = new CachedTenantDirectory(pool, feed, TimeProvider.System) { StaleAfter = TimeSpan.Zero };
        var first = await directory.FindBySubdomainAsync("quiet", CancellationToken.None);

        // With its data source gone, any round trip would throw.
        await pool.DisposeAsync();
        var again = await directory.FindBySubdomainAsync("quiet", CancellationToken.None);

        Assert.That(again, Is.SameAs(first));
        await stop.CancelAsync();
    }

    [Test]
    public async Task WhileListening_AChangeThroughAnotherConnectionIsSeenOnEveryReplicaWithinTheBound()
    {
        var id = await CreateTenantAsync("notified");
        using var stop = new CancellationTokenSource();
        await using var sourceA = FeedSource();
        await using var sourceB = FeedSource();
        var feedA = new TenantChangeFeed(sourceA, TimeProvider.System);
        var feedB = new TenantChangeFeed(sourceB, TimeProvider.System);
        await StartListeningAsync(feedA, stop.Token);
        await StartListeningAsync(feedB, stop.Token);
        // No fallback: only a notification can make these replicas read again.
        var replicaA = new CachedTenantDirectory(_writer, feedA, TimeProvider.System) { StaleAfter = TimeSpan.FromHours(1) };
        var replicaB = new CachedTenantDirectory(_writer, feedB, TimeProvider.System) { StaleAfter = TimeSpan.FromHours(1) };
        Assert.That((await replicaA.FindBySubdomainAsync("notified", CancellationToken.None))!.Policy.JitEnabled, Is.True);
        Assert.That((await replicaB.FindBySubdomainAsync("notified", CancellationToken.None))!.Policy.JitEnabled, Is.True);

        await SetJitAsync(id, false);

        Assert.That(await TimeUntilJitIsAsync(replicaA, "notified", false), Is.LessThan(NotificationBound));
        Assert.That(await TimeUntilJitIsAsync(replicaB, "notified", false), Is.LessThan(NotificationBound));
        await stop.CancelAsync();
    }

    [Test]
    public async Task WhenTheListeningConnectionDrops_AChangeMadeMeanwhileIsStillSeen()
    {
        var id = await CreateTenantAsync("dropped");
        using var stop = new CancellationTokenSource();
        await using var feedSource = FeedSource();
        var feed = new TenantChangeFeed(feedSource, TimeProvider.System);
        await StartListeningAsync(feed, stop.Token);
        var directory = new CachedTenantDirectory(_writer, feed, TimeProvider.System);
        await directory.FindBySubdomainAsync("dropped", CancellationToken.None);

        // The server ends the feed's connection; the change is committed while it reconnects, so its notification
        // is lost. Entries read before the break are then held to the staleness bound, as if there were no feed.
        await using (var admin = await _writer.OpenConnectionAsync())
        {
            var terminated = await admin.ExecuteScalarAsync<long>("""
                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE application_name = @name AND datname = current_database()
                """, new { name = DataServiceCollectionExtensions.TenantChangeFeedApplicationName });
            Assert.That(terminated, Is.EqualTo(1), "the feed's connection");
            await admin.ExecuteAsync("UPDATE tenants SET jit_enabled = false WHERE id = @id", new { id });
        }

        Assert.That(await TimeUntilJitIsAsync(directory, "dropped", false), Is.LessThan(directory.StaleAfter + TimeSpan.FromSeconds(1)));
        await stop.CancelAsync();
    }

    [Test]
    public async Task WithoutNotifications_AnEntryIsTrustedForTheStalenessBoundAndNoLonger()
    {
        var id = await CreateTenantAsync("fallback");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var idleFeed = new TenantChangeFeed(_writer, clock); // never started: as if its connection were down
        var directory = new CachedTenantDirectory(_writer, idleFeed, clock);
        Assert.That(directory.StaleAfter, Is.EqualTo(CachedTenantDirectory.DefaultStaleAfter));
        await directory.FindBySubdomainAsync("fallback", CancellationToken.None);

        await SetJitAsync(id, false);
        clock.Advance(directory.StaleAfter - TimeSpan.FromMilliseconds(1));
        var withinBound = await directory.FindBySubdomainAsync("fallback", CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var pastBound = await directory.FindBySubdomainAsync("fallback", CancellationToken.None);

        Assert.That(withinBound!.Policy.JitEnabled, Is.True, "served from memory within the bound");
        Assert.That(pastBound!.Policy.JitEnabled, Is.False, "revalidated once the bound passed");
    }

    [Test]
    public async Task WithoutNotifications_AChangeMadeByThisReplicaIsSeenAtOnce()
    {
        var id = await CreateTenantAsync("ownwrite");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var idleFeed = new TenantChangeFeed(_writer, clock);
        var directory = new CachedTenantDirectory(_writer, idleFeed, clock) { StaleAfter = TimeSpan.FromHours(1) };
        await directory.FindBySubdomainAsync("ownwrite", CancellationToken.None);

        await SetJitAsync(id, false);
        idleFeed.ChangedHere(id);

        Assert.That((await directory.FindBySubdomainAsync("ownwrite", CancellationToken.None))!.Policy.JitEnabled, Is.False);
    }

    [Test]
    public async Task ANotificationForAnotherTenant_LeavesAnEntryCurrent_OneForItOrForAll_MakesItStale()
    {
        using var stop = new CancellationTokenSource();
        await using var feedSource = FeedSource();
        var feed = new TenantChangeFeed(feedSource, TimeProvider.System);
        var tenant = Guid.NewGuid();
        Assert.That(feed.ListeningSince(feed.Stamp()), Is.False, "not listening yet");
        await StartListeningAsync(feed, stop.Token);

        var stamp = feed.Stamp();
        Assert.That(feed.ListeningSince(stamp) && !feed.ChangedSince(tenant, stamp), Is.True);
        feed.Changed(Guid.NewGuid().ToString());
        Assert.That(feed.ChangedSince(tenant, stamp), Is.False, "another tenant changed");
        feed.Changed(tenant.ToString());
        Assert.That(feed.ChangedSince(tenant, stamp), Is.True, "this tenant changed");
        var reread = feed.Stamp();
        Assert.That(feed.ChangedSince(tenant, reread), Is.False, "read again after the change");
        feed.Changed("*");
        Assert.That(feed.ChangedSince(tenant, reread), Is.True, "every tenant changed (TRUNCATE)");
        await stop.CancelAsync();
    }
}
