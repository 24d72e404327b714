using System.Collections.Concurrent;
using Acs.Core.Tenants;
using Dapper;
using Npgsql;

namespace Acs.Data.Tenants;

/// <summary>
/// Tenants for the login path, kept in memory. While the <see cref="TenantChangeFeed"/> listens, a cached tenant is
/// served without a database round trip until a notification names it (sent at commit by the triggers of migration
/// 0008, whoever the writer). While it does not, an entry is revalidated against <c>tenants.config_version</c> (one
/// primary-key-sized read) once it is older than <see cref="StaleAfter"/>, so every replica still sees any change
/// within that bound. An entry carries the version and the feed stamp taken before its own rows were read, so a
/// change committed meanwhile only makes the next request read again.
/// </summary>
public sealed class CachedTenantDirectory(NpgsqlDataSource dataSource, TenantChangeFeed feed, TimeProvider time) : ITenantDirectory
{
    /// <summary>The longest a replica serves a tenant unchecked while notifications are not flowing.</summary>
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromSeconds(1);

    // Bounded: a few KB per tenant (certificates included); past this the cache starts over.
    private const int MaxEntries = 10_000;

    private const string VersionSql = """
        SELECT id, config_version FROM tenants WHERE subdomain = @subdomain
        """;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Zero revalidates on every request while notifications are not flowing.</summary>
    public TimeSpan StaleAfter { get; init; } = DefaultStaleAfter;

    public async Task<Tenant?> FindBySubdomainAsync(string subdomain, CancellationToken cancellationToken)
    {
        _entries.TryGetValue(subdomain, out var cached);
        var now = time.GetUtcNow();
        if (cached is not null && IsFresh(cached, now))
        {
            return cached.Tenant;
        }

        var stamp = feed.Stamp();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (cached is not null)
        {
            var current = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(VersionSql, new { subdomain },
                cancellationToken: cancellationToken));
            if (current is null)
            {
                _entries.TryRemove(subdomain, out _);
                return null;
            }

            if (cached.Tenant.Id == current.Id && cached.ConfigVersion == current.ConfigVersion)
            {
                _entries[subdomain] = cached with { Stamp = stamp, CheckedAt = now };
                return cached.Tenant;
            }
        }

        var (tenant, version) = await TenantDirectory.FindAsync(connection, subdomain, cancellationToken);
        if (tenant is null)
        {
            _entries.TryRemove(subdomain, out _);
            return null;
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        _entries[subdomain] = new Entry(tenant, version, stamp, now);
        return tenant;
    }

    private bool IsFresh(Entry entry, DateTimeOffset now) =>
        !feed.ChangedSince(entry.Tenant.Id, entry.Stamp)
        && (feed.ListeningSince(entry.Stamp) || now - entry.CheckedAt < StaleAfter);

    private sealed record Entry(Tenant Tenant, long ConfigVersion, long Stamp, DateTimeOffset CheckedAt);

    private sealed class VersionRow
    {
        public Guid Id { get; init; }
        public long ConfigVersion { get; init; }
    }
}
