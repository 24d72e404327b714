using System.Diagnostics;
using System.Net;
using Acs.Core.Telemetry;
using Acs.Testing.Tenants;
using Acs.Tests.TestInfrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Acs.Tests.Api.Telemetry;

/// <summary>The sign-in's trace: one span for the attempt, validation and Npgsql's database spans beneath it.</summary>
public sealed class SignInTraceTests
{
    [Test]
    public async Task SignIn_IsOneSpanWithValidationAndDatabaseChildSpans()
    {
        var (subdomain, finished) = await SignInAsync(new Dictionary<string, string?> { ["Acs:Tracing:Enabled"] = "true" });

        // The in-memory exporter sees every host's spans in this process: this tenant's sign-in is picked out.
        var signIn = finished.Single(s => s.OperationName == "acs.sign_in" && (string?)s.GetTagItem(TelemetryAttributes.TenantSubdomain) == subdomain);
        var children = finished.Where(s => s.ParentSpanId == signIn.SpanId).ToList();
        Assert.That(signIn.GetTagItem(TelemetryAttributes.Outcome), Is.EqualTo("success"));
        Assert.That(signIn.Parent?.Kind ?? finished.Single(s => s.SpanId == signIn.ParentSpanId).Kind, Is.EqualTo(ActivityKind.Server),
            "beneath the HTTP request's span");
        Assert.That(children.Select(c => c.OperationName), Has.One.EqualTo("acs.saml.validate"));
        Assert.That(children.Where(c => c.Source.Name == "Npgsql"), Is.Not.Empty, "Npgsql's own spans, one per command");
        Assert.That(children.Where(c => c.Source.Name == "Npgsql").Select(c => c.GetTagItem("db.system.name") ?? c.GetTagItem("db.system")),
            Has.All.EqualTo("postgresql"));
    }

    [Test]
    public async Task SignIn_WithTracingOff_RecordsNoSpan()
    {
        var (subdomain, finished) = await SignInAsync(settings: null);

        Assert.That(finished.Where(s => (string?)s.GetTagItem(TelemetryAttributes.TenantSubdomain) == subdomain), Is.Empty,
            "no collector and tracing not asked for: no span of this sign-in is recorded");
    }

    // One successful sign-in of a new tenant through a host whose tracer (if it has one) exports to memory.
    private static async Task<(string Subdomain, List<Activity> Spans)> SignInAsync(IDictionary<string, string?>? settings)
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("traces");
        var subdomain = "tr" + Guid.NewGuid().ToString("N")[..12];
        await TenantSeeder.InsertAsync(connectionString, new SeedTenant(subdomain).WithTestIdp());
        var spans = new List<Activity>();
        await using var factory = new AcsApiFactory(connectionString, settings)
        {
            ConfigureServices = services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)),
        };
        using var browser = factory.CreateTenantClient(subdomain);

        using var response = await AcsTestSite.PostAsync(browser, AcsTestSite.ResponseFor(subdomain).BuildBase64());

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        lock (spans)
        {
            return (subdomain, [.. spans]);
        }
    }
}
