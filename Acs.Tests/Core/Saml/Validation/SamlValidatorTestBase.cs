using System.Xml;
using Acs.Core.Saml.Validation;
using Acs.Testing.TestIdp;
using Microsoft.Extensions.Time.Testing;

namespace Acs.Tests.Core.Saml.Validation;

public abstract class SamlValidatorTestBase
{
    protected static SamlValidationResult Validate(XmlDocument document, SamlValidationSettings? settings = null, DateTimeOffset? now = null) =>
        Validate(TestResponseBuilder.ToBytes(document), settings, now);

    protected static SamlValidationResult Validate(TestResponseBuilder builder, SamlValidationSettings? settings = null, DateTimeOffset? now = null) =>
        Validate(builder.BuildBytes(), settings, now);

    protected static SamlValidationResult Validate(byte[] xml, SamlValidationSettings? settings = null, DateTimeOffset? now = null)
    {
        var validator = new SamlResponseValidator(new FakeTimeProvider(now ?? TestResponseBuilder.Now));
        var settingsToUse = settings ?? TestResponseBuilder.Settings();
        var result = validator.ValidateXml(xml, settingsToUse);

        // The form path must reach the same verdict as the bytes path.
        var viaForm = validator.Validate(Convert.ToBase64String(xml), settingsToUse);
        Assert.That(viaForm.Failure?.Code, Is.EqualTo(result.Failure?.Code), "form and bytes paths disagree");
        return result;
    }

    protected static void AssertRefused(SamlValidationResult result, string code)
    {
        Assert.That(result.IsValid, Is.False, "the response was accepted");
        Assert.That(result.Failure!.Code, Is.EqualTo(code), result.Failure.Message);
        Assert.That(result.Failure.Message, Does.Not.StartWith("Unexpected"), "an exception escaped a check");
    }

    protected static SamlAssertion AssertAccepted(SamlValidationResult result)
    {
        Assert.That(result.IsValid, Is.True, () => $"{result.Failure?.Code}: {result.Failure?.Message}");
        return result.Assertion!;
    }
}
