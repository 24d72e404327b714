using Acs.Api.Hosting;
using Microsoft.Extensions.Configuration;

namespace Acs.Tests.Api.Hosting;

/// <summary>The sign-in binding key setting: optional, long when given, and never the admin key itself.</summary>
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

    private static IConfiguration Configuration(string? bindingKey = null) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Acs"] = "Host=127.0.0.1",
            ["Acs:PublicUrls:0"] = "https://{subdomain}.statuspage.io",
            ["Acs:AdminApiKey"] = AdminKey,
            ["Acs:SignIn:BindingKey"] = bindingKey,
        }).Build();
}
