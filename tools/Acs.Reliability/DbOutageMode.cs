using System.Diagnostics;
using Acs.Testing.Reliability;
using Npgsql;

namespace Acs.Reliability;

/// <summary>
/// Logins flowing while PostgreSQL is stopped for a few seconds and started again (by the given shell commands):
/// outage answers, recovery time and a SQL check for half-written logins.
/// </summary>
internal static class DbOutageMode
{
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(Options options)
    {
        var before = options.Seconds("before", 3);
        var outage = options.Seconds("outage", 5);
        var after = options.Seconds("after", 12);
        var workers = options.Int("workers", 4);
        var rate = options.Seconds("rate", 25); // logins per second per worker
        var target = await Target.CreateAsync(options, "restart");
        var flow = new LoginFlow(target, workers, rate, closeConnections: false, AnswerBound + TimeSpan.FromSeconds(5));
        flow.Prepare((int)Math.Ceiling(workers * rate * (before + outage + after + 30)));

        flow.Start();
        await Task.Delay(TimeSpan.FromSeconds(before));
        var stopping = flow.Now;
        await ShellAsync(options.Text("stop-cmd"));
        var stopped = flow.Now;
        await Task.Delay(TimeSpan.FromSeconds(outage));
        var starting = flow.Now;
        await ShellAsync(options.Text("start-cmd"));
        var restarted = flow.Now; // pg_ctl -w returned: PostgreSQL accepts connections
        await Task.Delay(TimeSpan.FromSeconds(after));
        await flow.StopAsync();

        var records = flow.Records.ToList();
        var duringOutage = records.Where(r => r.Started >= stopped && r.Ended <= starting).ToList();
        var firstSuccess = records.Where(r => r.Started >= restarted && r.Status == 303).OrderBy(r => r.Ended).FirstOrDefault();
        var recovery = firstSuccess is null ? (double?)null : firstSuccess.Ended - restarted;
        var slowest = records.Max(r => r.Took);
        var fiveHundreds = records.Count(r => r.Status >= 500 && r.Status != 503);
        var outageNot503 = duringOutage.Count(r => r.Status != 503 || r.RetryAfter is null);
        var hung = records.Count(r => r.Took > AnswerBound.TotalSeconds || r.Error is not null);

        await using var db = NpgsqlDataSource.Create(target.ConnectionString);
        var consistency = await ReliabilitySite.CheckConsistencyAsync(db);
        var logins = await CountAsync(db, "SELECT count(*) FROM login_events WHERE outcome = 'success'");

        Console.WriteLine($"db-outage: {records.Count} logins by {workers} clients at ≤{rate * workers:F0}/s; PostgreSQL stop took " +
                          $"{stopped - stopping:F2}s, down {starting - stopped:F1}s, start took {restarted - starting:F2}s");
        Console.WriteLine($"db-outage: all responses: {LoginFlow.Distribution(records)}; slowest {slowest * 1000:F0} ms");
        Console.WriteLine($"db-outage: while down: {duringOutage.Count} logins: {LoginFlow.Distribution(duringOutage)}, " +
                          $"{duringOutage.Count(r => r.RetryAfter is not null)} with Retry-After, slowest " +
                          $"{(duringOutage.Count == 0 ? 0 : duringOutage.Max(r => r.Took) * 1000):F0} ms");
        Console.WriteLine($"db-outage: 500s: {fiveHundreds}; non-503 while down: {outageNot503}; beyond {AnswerBound.TotalSeconds:F0}s or no answer: {hung}");
        Console.WriteLine(recovery is null
            ? "db-outage: logins did NOT succeed again after the restart"
            : $"db-outage: first login succeeded {recovery:F2}s after PostgreSQL was back (bound 10 s)");
        Console.WriteLine($"db-outage: successful logins stored: {logins}; half-written: " +
                          string.Join(", ", consistency.Select(c => $"{c.Key}={c.Value}")));

        var ok = fiveHundreds == 0 && outageNot503 == 0 && hung == 0 && duringOutage.Count > 0 && recovery is <= 10
                 && consistency.Values.All(v => v == 0);
        Console.WriteLine("db-outage: " + (ok ? "PASS" : "FAIL"));
        return ok ? 0 : 1;
    }

    private static async Task<long> CountAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    internal static async Task ShellAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/bash", ["-c", command]))
                            ?? throw new InvalidOperationException("could not run: " + command);
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command}' exited with {process.ExitCode}");
        }
    }
}
