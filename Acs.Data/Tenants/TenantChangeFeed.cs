using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Acs.Data.Tenants;

/// <summary>
/// Listens on channel <c>acs_tenant_config</c> (migration 0008) on a connection of its own and tells the tenant cache
/// which cached tenants changed. Entries are stamped with a generation taken before their rows were read; an entry is
/// current while the feed has listened without a break since before that stamp and has not heard its tenant named
/// since. A break (connection lost, server restarted) makes every entry read before the reconnect stale, because
/// notifications sent meanwhile are lost; until the feed listens again, the cache falls back to comparing
/// <c>config_version</c> (see <see cref="CachedTenantDirectory"/>).
/// </summary>
public sealed class TenantChangeFeed(NpgsqlDataSource dataSource, TimeProvider time, ILogger<TenantChangeFeed>? logger = null)
{
    public const string Channel = "acs_tenant_config";

    /// <summary>
    /// How long the feed waits for a notification before it checks its connection with a query (which may take as
    /// long again): a connection that died silently is noticed within about two seconds, and the cache falls back.
    /// </summary>
    private static readonly TimeSpan LivenessInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = logger ?? NullLogger<TenantChangeFeed>.Instance;
    private readonly ConcurrentDictionary<Guid, long> _changedAt = new();
    private long _generation;
    private long _allChangedAt;

    // -1: not listening. Otherwise the generation at which the current LISTEN took effect.
    private long _listeningSince = -1;

    /// <summary>Whether notifications are flowing now.</summary>
    public bool IsListening => Volatile.Read(ref _listeningSince) >= 0;

    /// <summary>The stamp for an entry whose rows are read after this call.</summary>
    public long Stamp() => Interlocked.Read(ref _generation);

    /// <summary>Whether <paramref name="tenantId"/> (or every tenant) is known to have changed after <paramref name="stamp"/>.</summary>
    public bool ChangedSince(Guid tenantId, long stamp) =>
        stamp < Interlocked.Read(ref _allChangedAt) || (_changedAt.TryGetValue(tenantId, out var changed) && stamp < changed);

    /// <summary>Whether the feed has listened without a break since before <paramref name="stamp"/>: no change can have gone unheard.</summary>
    public bool ListeningSince(long stamp)
    {
        var since = Volatile.Read(ref _listeningSince);
        return since >= 0 && stamp >= since;
    }

    /// <summary>
    /// This replica changed the tenant: entries stamped before now are stale at once, without waiting for the
    /// notification, so the writer reads its own write even while notifications are not flowing.
    /// </summary>
    public void ChangedHere(Guid tenantId) => Changed(tenantId.ToString());

    /// <summary>Listens until <paramref name="stoppingToken"/> fires, reconnecting after any failure.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(250);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Whatever broke, the cache must stop trusting notifications at once; the loop reconnects.
                if (IsListening)
                {
                    delay = TimeSpan.FromMilliseconds(250);
                }

                Interlocked.Exchange(ref _listeningSince, -1);
                _logger.LogWarning("Tenant change notifications stopped ({Reason}); the tenant cache checks config_version per request until they resume",
                    ex.Message);
            }

            Interlocked.Exchange(ref _listeningSince, -1);
            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = delay * 2 > MaxReconnectDelay ? MaxReconnectDelay : delay * 2;
        }

        Interlocked.Exchange(ref _listeningSince, -1);
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        connection.Notification += (_, e) => Changed(e.Payload);
        await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(stoppingToken);
        }

        // Entries read before this point may have missed a notification: only later stamps count as current.
        Interlocked.Exchange(ref _listeningSince, Interlocked.Increment(ref _generation));
        _logger.LogInformation("Listening for tenant changes on {Channel}", Channel);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (!await connection.WaitAsync(LivenessInterval, stoppingToken))
            {
                await using var ping = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = 1 };
                await ping.ExecuteScalarAsync(stoppingToken);
            }
        }
    }

    /// <summary>A tenant (or, for <c>*</c>, every tenant) changed: entries stamped before now are stale.</summary>
    internal void Changed(string payload)
    {
        var generation = Interlocked.Increment(ref _generation);
        if (Guid.TryParse(payload, out var tenantId))
        {
            _changedAt[tenantId] = generation;
        }
        else
        {
            Interlocked.Exchange(ref _allChangedAt, generation);
        }
    }
}
