using System.Collections.Concurrent;
using Acs.Core.Tenants;
using Dapper;
using Npgsql;

namespace Acs.Data.Tenants;

/// <summary>
/// Tenants for the login path, kept in memory and revalidated on every request against tenants.config_version,
/// which triggers bump on any change to the tenant, its IdP configuration or its certificates (migration 0003).
/// Per request this is one primary-key-sized read instead of the three-table join with certificate bytes, and a
/// change made through any replica, or by hand in SQL, is seen by the next request on every replica.
/// </summary>
public sealed class CachedTenantDirectory(NpgsqlDataSource dataSource) : ITenantDirectory
{
    // Bounded: a few KB per tenant (certificates included); past this the cache starts over.
    private const int MaxEntries = 10_000;

    private const string VersionSql = """
        SELECT id, config_version FROM tenants WHERE subdomain = @subdomain
        """;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<Tenant?> FindBySubdomainAsync(string subdomain, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var current = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(VersionSql, new { subdomain },
            cancellationToken: cancellationToken));
        if (current is null)
        {
            _entries.TryRemove(subdomain, out _);
            return null;
        }

        if (_entries.TryGetValue(subdomain, out var cached) && cached.Tenant.Id == current.Id && cached.ConfigVersion == current.ConfigVersion)
        {
            return cached.Tenant;
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

        // The entry carries the version its own rows were read at, so a change committed between the two reads
        // only makes the next request read again.
        _entries[subdomain] = new Entry(tenant, version);
        return tenant;
    }

    private sealed record Entry(Tenant Tenant, long ConfigVersion);

    private sealed class VersionRow
    {
        public Guid Id { get; init; }
        public long ConfigVersion { get; init; }
    }
}
