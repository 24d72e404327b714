using System.Diagnostics;

namespace Acs.Reliability;

/// <summary>
/// Logins in flight when the service gets SIGTERM: every login sent before the signal must get a complete response,
/// and the process must exit within its shutdown timeout. Each login uses its own connection (Connection: close), so
/// "accepted" is unambiguous: a login after the listener closed is refused at connect time, not reset.
/// </summary>
internal static class ShutdownMode
{
    public static async Task<int> RunAsync(Options options)
    {
        var pid = options.Int("pid", 0);
        var before = options.Seconds("before", 3);
        var workers = options.Int("workers", 16);
        var shutdownTimeout = options.Seconds("shutdown-timeout", 8);
        var target = await Target.CreateAsync(options, "shutdown");
        var flow = new LoginFlow(target, workers, perWorkerPerSecond: 0, closeConnections: true, TimeSpan.FromSeconds(30));
        flow.Prepare(workers * 300);

        flow.Start();
        await Task.Delay(TimeSpan.FromSeconds(before));
        var signalled = flow.Now;
        await DbOutageMode.ShellAsync($"kill -TERM {pid}");
        var exited = await WaitForExitAsync(pid, TimeSpan.FromSeconds(shutdownTimeout + 10), flow);
        await Task.Delay(TimeSpan.FromSeconds(1)); // logins after the exit are refused: shows the listener is gone
        await flow.StopAsync();

        var records = flow.Records.ToList();
        var sentBefore = records.Where(r => r.Started < signalled).ToList();
        var inFlight = sentBefore.Where(r => r.Ended > signalled).ToList();
        var incomplete = sentBefore.Count(r => r.Error is not null);
        var afterSignal = records.Where(r => r.Started >= signalled).ToList();

        Console.WriteLine($"shutdown: {records.Count} logins by {workers} clients; SIGTERM at {signalled:F2}s");
        Console.WriteLine($"shutdown: sent before SIGTERM: {sentBefore.Count} ({LoginFlow.Distribution(sentBefore)}); " +
                          $"of them in flight at SIGTERM: {inFlight.Count} ({LoginFlow.Distribution(inFlight)}); without a complete response: {incomplete}");
        Console.WriteLine($"shutdown: sent after SIGTERM: {afterSignal.Count} ({LoginFlow.Distribution(afterSignal)})");
        foreach (var reset in records.Where(r => r.Error?.StartsWith("reset", StringComparison.Ordinal) == true).Take(5))
        {
            Console.WriteLine($"shutdown:   {reset.Started:F3}s..{reset.Ended:F3}s {reset.Error}");
        }

        Console.WriteLine(exited is null
            ? $"shutdown: the process had NOT exited {shutdownTimeout + 10:F0}s after SIGTERM"
            : $"shutdown: the process exited {exited - signalled:F2}s after SIGTERM (shutdown timeout {shutdownTimeout:F0}s)");
        var ok = incomplete == 0 && inFlight.Count > 0 && exited is not null && exited - signalled <= shutdownTimeout;
        Console.WriteLine("shutdown: " + (ok ? "PASS" : "FAIL"));
        return ok ? 0 : 1;
    }

    /// <summary>When /proc says the process is gone or a zombie (its parent, the script, reaps it later).</summary>
    private static async Task<double?> WaitForExitAsync(int pid, TimeSpan bound, LoginFlow flow)
    {
        var stopwatch = Stopwatch.StartNew();
        while (stopwatch.Elapsed < bound)
        {
            var stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat))
            {
                return flow.Now;
            }

            try
            {
                var text = await File.ReadAllTextAsync(stat);
                if (text[(text.LastIndexOf(')') + 2)..].StartsWith('Z'))
                {
                    return flow.Now;
                }
            }
            catch (IOException)
            {
                return flow.Now;
            }

            await Task.Delay(20);
        }

        return null;
    }
}
