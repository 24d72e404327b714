using System.Diagnostics.CodeAnalysis;

namespace Acs.Core.Saml.Validation;

public sealed record SamlValidationResult(SamlAssertion? Assertion, SamlFailure? Failure)
{
    [MemberNotNullWhen(true, nameof(Assertion))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool IsValid => Assertion is not null;

    public static SamlValidationResult Success(SamlAssertion assertion) => new(assertion, null);

    public static SamlValidationResult Fail(SamlFailure failure) => new(null, failure);

    public static SamlValidationResult Fail(string code, string message) => new(null, new SamlFailure(code, message));
}

/// <summary>Why a response was refused. The extra fields are for the login event log, never for the browser.
/// AssertionId and NameId are only filled from an assertion whose signature verified.</summary>
public sealed record SamlFailure(string Code, string Message)
{
    public string? Expected { get; init; }

    public string? Received { get; init; }

    public string? AssertionId { get; init; }

    public string? NameId { get; init; }

    /// <summary>What the response showed, to explain the refusal (<see cref="SamlEvidence"/>); null when nothing could be read.</summary>
    public SamlEvidence? Evidence { get; init; }
}

[Flags]
public enum SignedParts
{
    None = 0,
    Response = 1,
    Assertion = 2,
}

/// <summary>A validated assertion.</summary>
/// <param name="ResponseId">Informational: covered by a signature only when the Response itself is signed.</param>
/// <param name="NotOnOrAfter">The earliest of Conditions/@NotOnOrAfter and the accepted bearer SubjectConfirmationData/@NotOnOrAfter.</param>
/// <param name="AcceptableUntil">The last instant at which this assertion could still pass validation with the same settings:
/// the earliest of IssueInstant + MaxAssertionAge, Conditions/@NotOnOrAfter and the latest bearer confirmation's
/// NotOnOrAfter, each plus the clock skew. The assertion ID must be remembered against replay at least until then.</param>
/// <param name="InResponseTo">The request this response answers, read only where a verified signature covers it: the
/// verified assertion's SubjectConfirmationData/@InResponseTo, or Response/@InResponseTo when the Response's signature
/// verified (the two must agree). Null = unsolicited; an unsigned Response/@InResponseTo never counts.</param>
public sealed record SamlAssertion(
    string AssertionId,
    string ResponseId,
    string Issuer,
    string NameId,
    string? NameIdFormat,
    string? SessionIndex,
    DateTimeOffset IssueInstant,
    DateTimeOffset NotOnOrAfter,
    DateTimeOffset AcceptableUntil,
    DateTimeOffset? SessionNotOnOrAfter,
    string? InResponseTo,
    SignedParts SignedParts,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Attributes);
