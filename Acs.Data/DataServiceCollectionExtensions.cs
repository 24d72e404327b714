using Acs.Core.Audit;
using Acs.Core.Diagnosis;
using Acs.Core.EncryptionKeys;
using Acs.Core.Login;
using Acs.Core.LoginEvents;
using Acs.Core.Manage;
using Acs.Core.Members;
using Acs.Core.Retention;
using Acs.Core.Rollover;
using Acs.Core.Sessions;
using Acs.Core.Telemetry;
using Acs.Core.Tenants;
using Acs.Data.Audit;
using Acs.Data.Diagnosis;
using Acs.Data.EncryptionKeys;
using Acs.Data.Login;
using Acs.Data.LoginEvents;
using Acs.Data.Manage;
using Acs.Data.Members;
using Acs.Data.Migrations;
using Acs.Data.Retention;
using Acs.Data.Rollover;
using Acs.Data.Sessions;
using Acs.Data.Telemetry;
using Acs.Data.Tenants;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Acs.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>The application_name of the tenant change feed's connection, as pg_stat_activity shows it.</summary>
    public const string TenantChangeFeedApplicationName = "acs-tenant-changes";

    /// <summary>
    /// Registers the one <see cref="NpgsqlDataSource"/> of the process and the stores built on it. The pool holds at
    /// most <paramref name="maxPoolSize"/> connections unless the connection string sets Maximum Pool Size itself.
    /// </summary>
    public static IServiceCollection AddAcsData(this IServiceCollection services, string connectionString, int maxPoolSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        services.AddSingleton(sp =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            // The login path runs the same few statements on every request: prepared once per connection, PostgreSQL
            // skips parsing and planning them. A connection string that sets its own value wins.
            if (builder.ConnectionStringBuilder.MaxAutoPrepare == 0)
            {
                builder.ConnectionStringBuilder.MaxAutoPrepare = 32;
            }

            if (!NamesMaxPoolSize(connectionString))
            {
                builder.ConnectionStringBuilder.MaxPoolSize = maxPoolSize;
            }

            builder.UseLoggerFactory(sp.GetService<ILoggerFactory>());
            return builder.Build();
        });
        // Migrations hold an advisory lock on one connection while DbUp works on another: a data source of their own,
        // so they never wait for (or take) the service's pool.
        services.AddKeyedSingleton(DatabaseMigrator.DataSourceKey, (_, _) =>
            new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { MaxPoolSize = 2, MaxAutoPrepare = 0 } }.Build());
        services.AddSingleton<DatabaseMigrator>();
        services.AddSingleton<DatabaseReadiness>();
        // The tenant change feed holds one connection open to LISTEN: a data source of its own, outside the pool, unpooled
        // so the connection closes when the feed stops; the container disposes it with the host.
        services.AddKeyedSingleton(TenantChangeFeedApplicationName, (_, _) => new NpgsqlDataSourceBuilder(connectionString)
        {
            ConnectionStringBuilder = { Pooling = false, MaxAutoPrepare = 0, ApplicationName = TenantChangeFeedApplicationName },
        }.Build());
        services.AddSingleton(sp => new TenantChangeFeed(sp.GetRequiredKeyedService<NpgsqlDataSource>(TenantChangeFeedApplicationName),
            sp.GetRequiredService<TimeProvider>(), sp.GetService<ILogger<TenantChangeFeed>>()));
        services.AddSingleton<ITenantDirectory, CachedTenantDirectory>();
        services.AddSingleton<DemoTenantSeeder>();
        services.AddSingleton<ILoginStore, LoginStore>();
        services.AddSingleton<ISessionStore, SessionStore>();
        services.AddSingleton<IAuthnRequestStore, AuthnRequestStore>();
        services.AddSingleton<IExpiredDataPurger, ExpiredDataPurger>();
        services.AddSingleton<ITenantAdminStore, TenantAdminStore>();
        services.AddSingleton<IMemberAdminStore, MemberAdminStore>();
        services.AddSingleton<ILoginEventReader, LoginEventReader>();
        services.AddSingleton<IEncryptionKeyStore, EncryptionKeyStore>();
        services.AddSingleton<ICertificateInventory, CertificateInventory>();
        services.AddSingleton<ICertificateTrustDirectory, CertificateTrustDirectory>();
        services.AddSingleton<IRolloverStore, RolloverStore>();
        services.AddSingleton<IAuditLog, AuditEventStore>();
        services.AddSingleton<ISetupLinkStore, SetupLinkStore>();
        services.AddSingleton<ISignInLogReader, SignInLogReader>();
        return services;
    }

    // NpgsqlConnectionStringBuilder.ContainsKey answers for every keyword it knows, set or not: ask the raw string.
    private static bool NamesMaxPoolSize(string connectionString)
    {
        var raw = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        return raw.ContainsKey("Maximum Pool Size") || raw.ContainsKey("MaxPoolSize");
    }
}
