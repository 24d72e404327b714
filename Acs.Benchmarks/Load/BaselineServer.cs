using Npgsql;

namespace Acs.Benchmarks.Load;

/// <summary>
/// The practical ceiling of "HTTP + one commit" on a machine: a bare Kestrel minimal app that reads the same form
/// post and commits one INSERT per request to the same database, then answers 303 like the ACS.
/// </summary>
public static class BaselineServer
{
    private const string CreateTableSql = """
        CREATE TABLE IF NOT EXISTS baseline_posts (id uuid PRIMARY KEY, received_at timestamptz NOT NULL, bytes integer NOT NULL)
        """;

    private const string InsertSql = """
        INSERT INTO baseline_posts (id, received_at, bytes) VALUES ($1, $2, $3)
        """;

    public static async Task<int> RunAsync(int port, string connectionString)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var create = dataSource.CreateCommand(CreateTableSql))
        {
            await create.ExecuteNonQueryAsync();
        }

        var app = builder.Build();
        app.MapGet("/healthz", () => "ok");
        app.MapPost("/sso/saml/consume", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            await using var insert = dataSource.CreateCommand(InsertSql);
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.NewGuid() });
            insert.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = DateTimeOffset.UtcNow });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = form["SAMLResponse"].ToString().Length });
            await insert.ExecuteNonQueryAsync(http.RequestAborted);
            http.Response.Headers.Location = "/";
            return Results.StatusCode(StatusCodes.Status303SeeOther);
        });
        await app.RunAsync();
        return 0;
    }
}
