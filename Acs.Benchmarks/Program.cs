using System.Globalization;
using Acs.Benchmarks;
using Acs.Benchmarks.Load;
using Acs.Benchmarks.Responses;
using Acs.Benchmarks.Validator;

// One executable, one command per measurement; scripts/bench/*.sh run them and say how.
var command = args.FirstOrDefault() ?? "help";
var options = new Args(args);
switch (command)
{
    case "make-responses":
        {
            var set = ResponseSet.Write(options.Required("out"));
            Console.WriteLine($"responses written to {set.Folder} (issued {set.IssuedAt:O})");
            return 0;
        }

    case "validator":
        return ValidatorRunner.Run(options.Required("responses"), options.Required("out"), options.Flag("quick"));

    case "adversarial":
        return AdversarialRunner.Run(double.Parse(options.Get("seconds") ?? "0.5", CultureInfo.InvariantCulture), options.Int("rounds", 3), options.Get("out"));

    case "validate-loop":
        {
            // For a profiler: validates one response over and over (e.g. under dotnet-trace).
            var set = ResponseSet.Read(options.Required("responses"));
            var validator = new Acs.Core.Saml.Validation.SamlResponseValidator(new FixedTimeProvider(set.IssuedAt));
            var settings = set.Settings();
            var value = Convert.ToBase64String(set.Bytes(Enum.Parse<SignMode>(options.Get("mode") ?? "Assertion", ignoreCase: true), options.Get("size") ?? "5kb"));
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var count = 0;
            while (clock.Elapsed.TotalSeconds < options.Int("seconds", 10))
            {
                count += validator.Validate(value, settings).IsValid ? 1 : throw new InvalidOperationException("did not validate");
            }

            Console.WriteLine($"{count / clock.Elapsed.TotalSeconds:0} validations/s");
            return 0;
        }

    case "baseline-server":
        return await BaselineServer.RunAsync(options.Int("port", 5090), options.Required("db"));

    case "seed-scale":
        {
            var idp = EntraIdp.Create();
            await BenchDatabase.SeedScaleAsync(options.Required("db"), options.Int("tenants", 100_000), options.Int("members", 1_000_000),
                idp.Certificate.RawData);
            var (tenants, members) = await BenchDatabase.CountAsync(options.Required("db"));
            Console.WriteLine($"seeded: {tenants} tenants, {members} members");
            return 0;
        }

    case "load":
        return await LoadCommand.RunAsync(options);

    default:
        Console.WriteLine("""
            Acs.Benchmarks <command>
              make-responses --out DIR                    Entra-shaped responses (5 KB, 50 KB; assertion/response/both signed)
              validator --responses DIR --out FILE [--quick]  BenchmarkDotNet: our validator vs the RSA+SHA-256 floor
              adversarial [--seconds 0.5] [--rounds 3] [--out FILE]  CPU of hostile posts at the size cap vs a normal response
              baseline-server --port N --db CONN          bare Kestrel app, one INSERT per POST
              seed-scale --db CONN [--tenants N] [--members N]
              load --url URL --label NAME [--db CONN] [--pid PID] [--db-pid POSTMASTER_PID] [--tenants N] [--levels 1,4,16]
                   [--requests N] [--seconds N] [--half-load] [--out FILE] [--user-offset N] [--reuse N (baseline only)]
            See scripts/bench/ and docs/performance.md.
            """);
        return command == "help" ? 0 : 2;
}

/// <summary>The load command: bench tenants trusting a fresh IdP key, then the measured steps.</summary>
internal static class LoadCommand
{
    public static async Task<int> RunAsync(Args options)
    {
        var url = new Uri(options.Required("url"));
        var tenants = options.Int("tenants", 10);
        var idp = EntraIdp.Create();
        if (options.Get("db") is { } db)
        {
            await BenchDatabase.SetupTenantsAsync(db, tenants, idp.Certificate.RawData);
        }

        var pid = options.Get("pid") is { } p ? int.Parse(p, CultureInfo.InvariantCulture) : (int?)null;
        var requests = options.Int("requests", 2000);
        var limit = TimeSpan.FromSeconds(options.Int("seconds", 20));
        var dbPid = options.Get("db-pid") is { } d ? int.Parse(d, CultureInfo.InvariantCulture) : (int?)null;
        using var generator = new LoadGenerator(url, url.Port, tenants, idp, options.Required("label"), pid, dbPid, options.Int("user-offset", 0))
        {
            Reuse = options.Get("reuse") is null ? null : options.Int("reuse", 2000),
        };
        await generator.WarmUpAsync(options.Int("warmup", 200));

        var steps = new List<LoadStep>();
        foreach (var concurrency in options.Ints("levels", [1, 2, 4, 8, 16, 32, 64]))
        {
            var step = await generator.ClosedLoopAsync(concurrency, requests, limit);
            steps.Add(step);
            Console.WriteLine(step.ToMarkdown());
        }

        if (options.Flag("half-load"))
        {
            var best = steps.Max(s => s.Throughput);
            var step = await generator.OpenLoopAsync(best / 2, (int)Math.Min(requests, best / 2 * limit.TotalSeconds), limit);
            steps.Add(step);
            Console.WriteLine(step.ToMarkdown());
        }

        if (options.Get("out") is { } file)
        {
            var header = File.Exists(file) ? "" : LoadStep.TsvHeader + "\n";
            await File.AppendAllTextAsync(file, header + string.Join('\n', steps.Select(s => s.ToTsv())) + "\n");
        }

        return steps.All(s => s.Errors == 0) ? 0 : 1;
    }
}
