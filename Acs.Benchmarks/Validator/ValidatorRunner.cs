using System.Globalization;
using System.Text;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Acs.Benchmarks.Validator;

/// <summary>Runs <see cref="ValidatorBenchmarks"/> and writes ours.tsv (method, size, mean ns, bytes allocated)
/// plus a ratio-to-floor table, for the peer comparison script to join.</summary>
public static class ValidatorRunner
{
    public static int Run(string folder, string outFile, bool quick)
    {
        Environment.SetEnvironmentVariable("ACS_BENCH_RESPONSES", Path.GetFullPath(folder));
        // In-process: no generated project to build, and the run stays within a few minutes.
        var job = Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(quick ? 2 : 4).WithIterationCount(quick ? 5 : 12);
        var config = ManualConfig.Create(DefaultConfig.Instance).AddJob(job).WithOptions(ConfigOptions.JoinSummary);
        var summary = BenchmarkRunner.Run<ValidatorBenchmarks>(config);

        var rows = summary.Reports
            .Where(r => r.ResultStatistics is not null)
            .Select(r => (
                Method: r.BenchmarkCase.Descriptor.WorkloadMethod.Name,
                Size: (string)r.BenchmarkCase.Parameters["Size"],
                MeanNs: r.ResultStatistics!.Mean,
                Alloc: r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) ?? 0))
            .ToList();
        var tsv = new StringBuilder("method\tsize\tmean_ns\talloc_bytes\n");
        foreach (var row in rows)
        {
            tsv.Append(CultureInfo.InvariantCulture, $"{row.Method}\t{row.Size}\t{row.MeanNs:0}\t{row.Alloc}\n");
        }

        File.WriteAllText(outFile, tsv.ToString());

        Console.WriteLine();
        Console.WriteLine("| size | benchmark | mean µs | validations/s | × floor (RSA verify+SHA-256) | allocated |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|");
        foreach (var size in rows.Select(r => r.Size).Distinct())
        {
            var floor = rows.First(r => r.Size == size && r.Method == nameof(ValidatorBenchmarks.FloorRsaVerifySha256)).MeanNs;
            foreach (var row in rows.Where(r => r.Size == size))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {size} | {row.Method} | {row.MeanNs / 1000:0.0} | {1e9 / row.MeanNs:0} | {row.MeanNs / floor:0.00} | {row.Alloc / 1024.0:0.0} KB |"));
            }
        }

        return rows.Count == 0 ? 1 : 0;
    }
}
