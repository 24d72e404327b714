using Acs.Core.Login;

namespace Acs.Tests.Core.Login;

/// <summary>The keyed hash that binds an SP-initiated request to the browser, tenant and site that started it.</summary>
public sealed class AuthnRequestBindingTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly Guid Acme = Guid.Parse("6f1c2f7e-0000-4000-8000-000000000001");
    private static readonly Guid Globex = Guid.Parse("6f1c2f7e-0000-4000-8000-000000000002");
    private const string AcsUrl = "https://acme.statuspage.io/sso/saml/consume";
    private const string RequestId = "_0123456789abcdef0123456789abcdef";

    [Test]
    public void Matches_TheValueIssuedForTheSameRequest()
    {
        var binding = new AuthnRequestBinding(Key);

        var value = binding.ValueFor(Acme, AcsUrl, RequestId);

        Assert.That(binding.Matches(Acme, AcsUrl, RequestId, value), Is.True);
        Assert.That(value, Has.Length.EqualTo(43).And.Match("^[A-Za-z0-9_-]+$"), "base64url of 32 bytes, cookie-safe");
        Assert.That(value, Does.Not.Contain(RequestId));
    }

    [Test]
    public void DoesNotMatch_AnotherTenantsSiteOrRequest()
    {
        var binding = new AuthnRequestBinding(Key);
        var value = binding.ValueFor(Acme, AcsUrl, RequestId);

        Assert.Multiple(() =>
        {
            Assert.That(binding.Matches(Globex, AcsUrl, RequestId, value), Is.False, "other tenant");
            Assert.That(binding.Matches(Acme, "http://acme.acs.localhost/sso/saml/consume", RequestId, value), Is.False, "other site");
            Assert.That(binding.Matches(Acme, AcsUrl, "_0123456789abcdef0123456789abcdee", value), Is.False, "other request");
        });
    }

    [Test]
    public void DoesNotMatch_AValueMadeWithAnotherKey()
    {
        var otherKey = Key.Select(b => (byte)(b ^ 0xFF)).ToArray();

        var forged = new AuthnRequestBinding(otherKey).ValueFor(Acme, AcsUrl, RequestId);

        Assert.That(new AuthnRequestBinding(Key).Matches(Acme, AcsUrl, RequestId, forged), Is.False);
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase(RequestId)]
    [TestCase("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void DoesNotMatch_MissingOrMadeUpValues(string? presented) =>
        Assert.That(new AuthnRequestBinding(Key).Matches(Acme, AcsUrl, RequestId, presented), Is.False);

    [Test]
    public void DoesNotMatch_AnOversizedValueStartingWithTheRightOne()
    {
        var binding = new AuthnRequestBinding(Key);

        Assert.That(binding.Matches(Acme, AcsUrl, RequestId, binding.ValueFor(Acme, AcsUrl, RequestId) + new string('x', 500)), Is.False);
    }

    [Test]
    public void Construct_WithAShortKey_Throws() =>
        Assert.That(() => new AuthnRequestBinding(new byte[31]), Throws.ArgumentException);
}
