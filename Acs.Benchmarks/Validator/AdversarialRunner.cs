using System.Diagnostics;
using System.Globalization;
using System.Text;
using Acs.Benchmarks.Responses;
using Acs.Core.Certificates;
using Acs.Core.Saml.Bindings;
using Acs.Core.Saml.Metadata;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;

namespace Acs.Benchmarks.Validator;

/// <summary>
/// The CPU bound of pre-authentication work: validation CPU of every <see cref="AdversarialPosts"/> post (at most the
/// size cap) against a normal 5 KB Entra response and a genuine response at the size cap, measured side by side.
/// CPU is the process's (GC and JIT threads included) per validation, over a timed batch after a warm-up; rounds
/// alternate between the posts and the median round is reported, as the machine is shared.
/// </summary>
public static class AdversarialRunner
{
    public static int Run(double secondsPerPost, int rounds, string? outFile)
    {
        var idp = EntraIdp.Create();
        var now = DateTimeOffset.UtcNow;
        var target = new ResponseTarget(ResponseSet.SpEntityId, ResponseSet.AcsUrl, "jane.doe@contoso.test", "9f5c3e2a-7d41-4c8e-b0f6-2a1d3c4b5e6f", "Jane", "Doe");
        var settings = new SamlValidationSettings(ResponseSet.SpEntityId, ResponseSet.AcsUrl, EntraIdp.IdpEntityId,
            [TrustedCertificate.FromDer(idp.Certificate.RawData)]);
        var cap = settings.MaxResponseBytes;
        var normal = idp.Issue(target, SignMode.Assertion, now);

        // The largest genuine response under the cap: Entra-style group claims (~53 bytes each).
        var groups = (cap - normal.Length) / 53;
        var genuine = idp.Issue(target, SignMode.Assertion, now, groups);
        while (genuine.Length > cap)
        {
            groups -= 20;
            genuine = idp.Issue(target, SignMode.Assertion, now, groups);
        }

        var posts = new List<AdversarialPost>
        {
            new("normal-5kb", "a normal Entra response, assertion signed (the reference)", normal),
            new("genuine-at-cap", $"a genuine response with {groups:N0} group claims, just under the cap", genuine),
        };
        posts.AddRange(AdversarialPosts.Build(normal, cap));

        var validator = new SamlResponseValidator(new FixedTimeProvider(now));
        var forms = posts.Select(p => Convert.ToBase64String(p.Bytes)).ToList();
        var verdicts = forms.Select(f => validator.Validate(f, settings)).Select(r => r.IsValid ? "accepted" : r.Failure.Code).ToList();
        if (verdicts[0] != "accepted" || verdicts[1] != "accepted")
        {
            Console.Error.WriteLine("the genuine responses do not validate: " + verdicts[0] + ", " + verdicts[1]);
            return 1;
        }

        Console.WriteLine($"{posts.Count} posts, {rounds} rounds of ~{secondsPerPost:0.0} s each; load average {LoadAverage()}");
        var samples = posts.Select(_ => new List<(double CpuMs, double WallMs)>()).ToList();
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < posts.Count; i++)
            {
                samples[i].Add(Measure(validator, forms[i], settings, secondsPerPost));
            }
        }

        var cpu = samples.Select(s => Median(s.Select(x => x.CpuMs))).ToList();
        var wall = samples.Select(s => Median(s.Select(x => x.WallMs))).ToList();
        var table = new StringBuilder();
        table.AppendLine("| post | decoded bytes | verdict | CPU ms / validation | × normal 5 KB | × genuine at cap | wall ms |");
        table.AppendLine("|---|---:|---|---:|---:|---:|---:|");
        var tsv = new StringBuilder("post\tbytes\tverdict\tcpu_ms\twall_ms\n");
        for (var i = 0; i < posts.Count; i++)
        {
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| `{posts[i].Name}` | {posts[i].Bytes.Length:N0} | {verdicts[i]} | {cpu[i]:0.000} | {cpu[i] / cpu[0]:0.0} | {cpu[i] / cpu[1]:0.00} | {wall[i]:0.000} |"));
            tsv.Append(CultureInfo.InvariantCulture, $"{posts[i].Name}\t{posts[i].Bytes.Length}\t{verdicts[i]}\t{cpu[i]:0.0000}\t{wall[i]:0.0000}\n");
        }

        var worst = Enumerable.Range(2, posts.Count - 2).MaxBy(i => cpu[i]);
        table.AppendLine();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"worst post: `{posts[worst].Name}`, {cpu[worst]:0.00} ms = {cpu[worst] / cpu[0]:0}× the normal 5 KB response, {cpu[worst] / cpu[1]:0.0}× the genuine one at the cap"));
        Console.WriteLine();
        Console.Write(table);
        Console.WriteLine();
        foreach (var post in posts)
        {
            Console.WriteLine($"  {post.Name}: {post.Description}");
        }

        if (outFile is not null)
        {
            File.WriteAllText(outFile, tsv.ToString());
        }

        return 0;
    }

    private static (double CpuMs, double WallMs) Measure(SamlResponseValidator validator, string form, SamlValidationSettings settings, double seconds)
    {
        // Warm-up (tiered JIT), then a batch of at least five validations lasting about the given time.
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed.TotalSeconds < seconds / 4)
        {
            validator.Validate(form, settings);
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var count = 0;
        while (count < 5 || clock.Elapsed.TotalSeconds < seconds)
        {
            validator.Validate(form, settings);
            count++;
        }

        clock.Stop();
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
        return (cpu / count, clock.Elapsed.TotalMilliseconds / count);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
