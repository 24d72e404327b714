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
        var (settings, errors) = AcsSettings.Load(Configuration(setupLinkLifetime: "2.00:00:00"));

        Assert.That(errors, Is.Empty);
        Assert.That(settings!.Manage.SetupLinkLifetime, Is.EqualTo(TimeSpan.FromDays(2)));
    }

    [TestCase("a week")]
    [TestCase("-1.00:00:00")]
    [TestCase("00:00:00")]
    public void Load_WithMalformedSetupLinkLifetime_NamesTheVariable(string lifetime)
    {
        var (settings, errors) = AcsSettings.Load(Configuration(setupLinkLifetime: lifetime));

        Assert.That(settings, Is.Null);
        Assert.That(errors, Has.One.Contains("Acs__Manage__SetupLinkLifetime").And.Contains(lifetime));
    }

    [Test]
    public void Load_WithSetupSessionOfDays_IsRefused()
    {
        var (settings, errors) = AcsSettings.Load(Configuration(setupSessionLifetime: "3.00:00:00"));

        Assert.That(settings, Is.Null);
        Assert.That(errors, Has.One.Contains("Acs__Manage__SetupSessionLifetime"));
    }

    private static IConfiguration Configuration(string? bindingKey = null, string? metricsPort = null, string? setupLinkLifetime = null,
        string? setupSessionLifetime = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Acs:Manage:SetupLinkLifetime"] = setupLinkLifetime,
            ["Acs:Manage:SetupSessionLifetime"] = setupSessionLifetime,
            ["Acs:Metrics:Port"] = metricsPort,
            ["ConnectionStrings:Acs"] = "Host=127.0.0.1",
            ["Acs:PublicUrls:0"] = "https://{subdomain}.statuspage.io",
            ["Acs:AdminApiKey"] = AdminKey,
            ["Acs:SignIn:BindingKey"] = bindingKey,
        }).Build();
}
