using Npgsql;

namespace Acs.Data;

/// <summary>What kind of database failure an exception is, so callers above Data need no Npgsql types.</summary>
public enum DatabaseFailureKind
{
    /// <summary>Not a database failure this project recognises.</summary>
    None,

    /// <summary>Down, restarting, unreachable or out of connections: a passing condition worth retrying.</summary>
    Unavailable,

    /// <summary>PostgreSQL refused the user name or password: retrying cannot help.</summary>
    CredentialsRefused,

    /// <summary>The database named in the connection string does not exist.</summary>
    DatabaseMissing,
}

public static class DatabaseFailures
{
    public static DatabaseFailureKind Classify(Exception exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState switch
        {
            PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification => DatabaseFailureKind.CredentialsRefused,
            PostgresErrorCodes.InvalidCatalogName => DatabaseFailureKind.DatabaseMissing,
            PostgresErrorCodes.TooManyConnections => DatabaseFailureKind.Unavailable,
            // Class 08: connection exceptions; 57P: admin shutdown, crash shutdown, cannot connect now.
            var state when state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal)
                => DatabaseFailureKind.Unavailable,
            _ => DatabaseFailureKind.None,
        },
        // Npgsql reports "No password has been provided" and similar client-side refusals without a SQL state.
        NpgsqlException npgsql when npgsql.Message.Contains("password", StringComparison.OrdinalIgnoreCase)
            => DatabaseFailureKind.CredentialsRefused,
        NpgsqlException or TimeoutException or System.Net.Sockets.SocketException => DatabaseFailureKind.Unavailable,
        { InnerException: { } inner } => Classify(inner),
        _ => DatabaseFailureKind.None,
    };

    /// <summary>
    /// True when the database cannot be used right now: down, out of connections, or refusing the service's
    /// credentials (a request should answer 503 and be retried, never 500).
    /// </summary>
    public static bool IsUnavailable(Exception exception) => Classify(exception) != DatabaseFailureKind.None;
}
