using Acs.Api.Hosting;
using Microsoft.Extensions.Configuration;

namespace Acs.Tests.Api.Hosting;

/// <summary>The sign-in binding key setting: optional, long when given, and never the admin key itself; the metrics port.</summary>
public sealed class AcsSettingsTests
{
    private const string AdminKey = "0123456789abcdef0123";

    [Test]
    public void Load_WithoutBindingKey_DerivesOneFromTheAdminKey()
    {
        var (settings, errors) = AcsSettings.Load(Configuration());
        var (again, _) = AcsSettings.Load(Configuration());

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.SignInBindingKey, Has.Length.EqualTo(32));
        Assert.That(settings.SignInBindingKey, Is.EqualTo(again!.SignInBindingKey), "every replica derives the same key");
        Assert.That(settings.SignInBindingKey, Is.Not.EqualTo(System.Text.Encoding.UTF8.GetBytes(AdminKey)));
    }

    [Test]
    public void Load_WithBindingKey_UsesIt()
    {
        var (derived, _) = AcsSettings.Load(Configuration());
        var (configured, errors) = AcsSettings.Load(Configuration(new string('k', 40)));

        Assert.That(errors, Is.Empty);
        Assert.That(configured!.SignInBindingKey, Is.Not.EqualTo(derived!.SignInBindingKey));
    }

    [Test]
    public void Load_WithShortBindingKey_NamesTheVariable()
    {
        var (settings, errors) = AcsSettings.Load(Configuration("too-short"));

        Assert.That(settings, Is.Null);
        Assert.That(errors, Has.One.Contains("Acs__SignIn__BindingKey"));
    }

    [Test]
    public void Load_WithoutMetricsPort_ServesMetricsOnTheMainPort()
    {
        var (settings, errors) = AcsSettings.Load(Configuration());

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.MetricsPort, Is.Null);
    }

    [Test]
    public void Load_WithMetricsPort_UsesIt()
    {
        var (settings, errors) = AcsSettings.Load(Configuration(metricsPort: "9464"));

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.MetricsPort, Is.EqualTo(9464));
    }

    [TestCase("metrics")]
    [TestCase("0")]
    [TestCase("65536")]
    [TestCase("-1")]
    public void Load_WithMalformedMetricsPort_NamesTheVariable(string port)
    {
        var (settings, errors) = AcsSettings.Load(Configuration(metricsPort: port));

        Assert.That(settings, Is.Null);
        Assert.That(errors, Has.One.Contains("Acs__Metrics__Port").And.Contains(port));
    }

    [Test]
    public void Load_WithoutMetadataRefreshSettings_TakesTheDefaults()
    {
        var (settings, errors) = AcsSettings.Load(Configuration());

        Assert.That(errors, Is.Empty);
        var refresh = settings!.MetadataRefresh;
        Assert.That(refresh.Enabled, Is.True);
        Assert.That(refresh.Interval, Is.EqualTo(TimeSpan.FromHours(6)));
        Assert.That(refresh.GracePeriod, Is.EqualTo(TimeSpan.FromDays(7)));
        Assert.That(refresh.ExpiringWithinDays, Is.EqualTo(30));
        Assert.That(refresh.AllowedHosts, Does.Contain("login.microsoftonline.com").And.Contain("*.okta.com"));
        Assert.That(refresh.AllowLoopbackForTests, Is.False, "the loopback exception is for tests only, never a default");
    }

    [Test]
    public void Load_WithMetadataRefreshSettings_UsesThem()
    {
        var (settings, errors) = AcsSettings.Load(Configuration(extra: new()
        {
            ["Acs:MetadataRefresh:Interval"] = "01:00:00",
            ["Acs:MetadataRefresh:GracePeriod"] = "14.00:00:00",
            ["Acs:MetadataRefresh:AllowedHosts:0"] = "idp.example.com",
            ["Acs:Certificates:ExpiringWithinDays"] = "45",
        }));

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.MetadataRefresh.Interval, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(settings.MetadataRefresh.GracePeriod, Is.EqualTo(TimeSpan.FromDays(14)));
        Assert.That(settings.MetadataRefresh.AllowedHosts, Is.EqualTo(new[] { "idp.example.com" }));
        Assert.That(settings.MetadataRefresh.ExpiringWithinDays, Is.EqualTo(45));
    }

    [Test]
    public void Load_WithCommaSeparatedAllowedHosts_TakesEach()
    {
        var (settings, errors) = AcsSettings.Load(Configuration(extra: new() { ["Acs:MetadataRefresh:AllowedHosts:0"] = "idp.example.com, *.example.org" }));

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.MetadataRefresh.AllowedHosts, Is.EqualTo(new[] { "idp.example.com", "*.example.org" }));
    }

    [TestCase("Acs:MetadataRefresh:Interval", "often", "Acs__MetadataRefresh__Interval")]
    [TestCase("Acs:MetadataRefresh:Interval", "00:00:10", "Acs__MetadataRefresh__Interval")]
    [TestCase("Acs:MetadataRefresh:GracePeriod", "-1.00:00:00", "Acs__MetadataRefresh__GracePeriod")]
    [TestCase("Acs:MetadataRefresh:AllowedHosts:0", "https://idp.example.com/", "Acs__MetadataRefresh__AllowedHosts")]
    [TestCase("Acs:MetadataRefresh:MaxBytes", "0", "Acs__MetadataRefresh__MaxBytes")]
    [TestCase("Acs:Certificates:ExpiringWithinDays", "month", "Acs__Certificates__ExpiringWithinDays")]
    [TestCase("Acs:MetadataRefresh:AllowLoopbackForTests", "yes", "Acs__MetadataRefresh__AllowLoopbackForTests")]
    public void Load_WithMalformedMetadataRefreshSetting_NamesTheVariable(string key, string value, string variable)
    {
        var (settings, errors) = AcsSettings.Load(Configuration(extra: new() { [key] = value }));

        Assert.That(settings, Is.Null);
        Assert.That(errors, Has.One.Contains(variable));
    }

    [Test]
    public void Load_WithoutManageSettings_LinksLastSevenDaysAndSetupSessionsFourHours()
    {
        var (settings, errors) = AcsSettings.Load(Configuration());

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.Manage.SetupLinkLifetime, Is.EqualTo(TimeSpan.FromDays(7)));
        Assert.That(settings.Manage.SetupSessionLifetime, Is.EqualTo(TimeSpan.FromHours(4)));
    }

    [Test]
    public void Load_WithSetupLinkLifetime_UsesIt()
    {
        var (settings, errors) = AcsSettings.Load(Configuration(extra: new() { ["Acs:Manage:SetupLinkLifetime"] = "2.00:00:00" }));

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.Manage.SetupLinkLifetime, Is.EqualTo(TimeSpan.FromDays(2)));
    }

    [TestCase("a week")]
    [TestCase("-1.00:00:00")]
    [TestCase("00:00:00")]
    public void Load_WithMalformedSetupLinkLifetime_NamesTheVariable(string lifetime)
    {
        var (settings, errors) = AcsSettings.Load(Configuration(extra: new() { ["Acs:Manage:SetupLinkLifetime"] = lifetime }));

        Assert.That(settings, Is.Null);
        Assert.That(errors, Has.One.Contains("Acs__Manage__SetupLinkLifetime").And.Contains(lifetime));
    }

    [Test]
    public void Load_WithSetupSessionOfDays_IsRefused()
    {
        var (settings, errors) = AcsSettings.Load(Configuration(extra: new() { ["Acs:Manage:SetupSessionLifetime"] = "3.00:00:00" }));

        Assert.That(settings, Is.Null);
        Assert.That(errors, Has.One.Contains("Acs__Manage__SetupSessionLifetime"));
    }

    [Test]
    public void Load_WithoutCollector_RecordsNoTraces()
    {
        var (settings, errors) = AcsSettings.Load(Configuration());

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.TracingEnabled, Is.False);
    }

    [Test]
    public void Load_WithCollector_RecordsTraces()
    {
        var (settings, _) = AcsSettings.Load(Configuration(extra: new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4317" }));

        Assert.That(settings!.TracingEnabled, Is.True);
    }

    [TestCase("true", true)]
    [TestCase("false", false)]
    public void Load_WithTracingSetting_FollowsIt(string value, bool expected)
    {
        var (settings, errors) = AcsSettings.Load(Configuration(extra: new()
        {
            ["Acs:Tracing:Enabled"] = value,
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = expected ? null : "http://collector:4317",
        }));

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.TracingEnabled, Is.EqualTo(expected));
    }

    [Test]
    public void Load_WithMalformedTracingSetting_NamesTheVariable()
    {
        var (settings, errors) = AcsSettings.Load(Configuration(extra: new() { ["Acs:Tracing:Enabled"] = "sometimes" }));

        Assert.That(settings, Is.Null);
        Assert.That(errors, Has.One.Contains("Acs__Tracing__Enabled"));
    }

    private static IConfiguration Configuration(string? bindingKey = null, string? metricsPort = null, Dictionary<string, string?>? extra = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(extra ?? [])
        {
            ["Acs:Metrics:Port"] = metricsPort,
            ["ConnectionStrings:Acs"] = "Host=127.0.0.1",
            ["Acs:PublicUrls:0"] = "https://{subdomain}.statuspage.io",
            ["Acs:AdminApiKey"] = AdminKey,
            ["Acs:SignIn:BindingKey"] = bindingKey,
        }).Build();
}
