using System.Xml;
using Acs.Core.Saml.Signatures;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Testing.TestIdp;
using Acs.Tests.TestInfrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Acs.Tests.Core.Saml.Validation;

[TestFixture]
public sealed class SamlValidatorInternalsTests
{
    [Test]
    public void Verify_WhenTheIdIndexResolvesTheReferenceToAnotherElement_IsRefused()
    {
        // The reference is resolved through the document's unique-ID index only, and must land on the signature's
        // own parent: an index that maps the ID to a look-alike element must not verify that element.
        var (response, assertion) = ReadSigned();
        var lookAlike = ResponseMutations.EvilAssertion(response.Document);
        var index = new Dictionary<string, XmlElement>(response.ElementsById) { [assertion.GetAttribute("ID")] = lookAlike };

        var failure = SamlSignatureVerifier.Verify(response with { ElementsById = index }, TestResponseBuilder.Settings(), out var verified);

        Assert.That(failure?.Code, Is.EqualTo(SamlErrorCodes.SignatureReferenceInvalid));
        Assert.That(verified.Parts, Is.EqualTo(SignedParts.None));
    }

    [Test]
    public void Verify_WhenTheIdIndexLacksTheReferencedId_IsRefused()
    {
        var (response, assertion) = ReadSigned();
        var index = response.ElementsById.Where(e => e.Key != assertion.GetAttribute("ID")).ToDictionary();

        var failure = SamlSignatureVerifier.Verify(response with { ElementsById = index }, TestResponseBuilder.Settings(), out _);

        Assert.That(failure?.Code, Is.EqualTo(SamlErrorCodes.SignatureReferenceInvalid));
    }

    [Test]
    public void Verify_WithTheIndexAsRead_ResolvesExactlyTheSignedAssertion()
    {
        var (response, assertion) = ReadSigned();

        var failure = SamlSignatureVerifier.Verify(response, TestResponseBuilder.Settings(), out var verified);

        Assert.That(failure, Is.Null, () => failure!.Message);
        Assert.That(verified.Assertion, Is.SameAs(assertion));
        Assert.That(verified.Response, Is.Null);
    }

    private static (SamlResponseDocument Response, XmlElement Assertion) ReadSigned()
    {
        var document = SafeXml.Load(new TestResponseBuilder().BuildBytes());
        Assert.That(SamlResponseReader.Read(document, TestResponseBuilder.Settings(), out var response), Is.Null);
        return (response!, response!.Assertion);
    }

    [Test]
    public void Validate_FromManyThreadsWithOneCachedKey_AcceptsEveryResponse()
    {
        var validator = new SamlResponseValidator(new FakeTimeProvider(TestResponseBuilder.Now));
        var settings = TestResponseBuilder.Settings();
        var responses = Enumerable.Range(0, 8).Select(i => new TestResponseBuilder { Sign = (SignMode)(1 + (i % 3)) }.BuildBase64()).ToArray();
        var failures = 0;

        Parallel.For(0, 400, i =>
        {
            if (!validator.Validate(responses[i % responses.Length], settings).IsValid)
            {
                Interlocked.Increment(ref failures);
            }
        });

        Assert.That(failures, Is.Zero);
    }

    [Test]
    public void ErrorCodes_AreAllDocumentedForAdministrators()
    {
        var root = SharedFolder.RepositoryRoot();
        Assert.That(root, Is.Not.Null, "repository root (AcsService.sln) not found");
        var doc = File.ReadAllText(Path.Combine(root!, "docs", "saml-validation.md"));

        Assert.That(SamlErrorCodes.All, Has.Count.EqualTo(29));
        foreach (var code in SamlErrorCodes.All.Append(Acs.Core.Login.LoginErrorCodes.RequestNotFromThisBrowser))
        {
            Assert.That(doc, Does.Contain($"| `{code}` |"), code);
        }
    }
}
