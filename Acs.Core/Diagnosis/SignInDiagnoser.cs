using System.Globalization;
using System.Text.RegularExpressions;
using Acs.Core.Saml.Validation;
using Acs.Core.Saml.Xml;
using Acs.Core.Tenants;

namespace Acs.Core.Diagnosis;

/// <summary>
/// Names the known cause of a sign-in's outcome from its code, the response's evidence and the site's configuration, or
/// returns null when the evidence does not show one. Pure: no I/O, no clock (the context carries "now"). Values from the
/// response are echoed into advice only when they have a constrained shape (a GUID, an AADSTS number, a DNS host, a
/// subdomain), so a crafted response cannot put arbitrary text on the error page.
/// </summary>
public static partial class SignInDiagnoser
{
    public const string EntraGroupsClaim = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";
    /// <summary>How old a late response may be and still be read as a clock difference rather than a stale post.</summary>
    public static readonly TimeSpan StalePostAfter = TimeSpan.FromHours(1);

    public const string EntraGroupsLinkClaim = "http://schemas.microsoft.com/claims/groups.link";

    private const string StatusRequester = "urn:oasis:names:tc:SAML:2.0:status:Requester";
    private const string StatusResponder = "urn:oasis:names:tc:SAML:2.0:status:Responder";
    private const string EntraApplication = "In Entra: Enterprise applications → this application → Single sign-on → Basic SAML Configuration";

    public static SignInDiagnosis? Diagnose(DiagnosisContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var evidence = context.Evidence;
        if (evidence is null)
        {
            return null;
        }

        return context.Code switch
        {
            null => GroupsOverage(evidence),
            SamlErrorCodes.AudienceMismatch => Audience(context, evidence),
            SamlErrorCodes.DestinationMismatch => ReplyUrl(context, evidence.Destination, "Destination"),
            SamlErrorCodes.SubjectConfirmationInvalid when !evidence.Recipients.Contains(context.AcsUrl, StringComparer.Ordinal) =>
                ReplyUrl(context, evidence.Recipients.FirstOrDefault(), "Recipient"),
            SamlErrorCodes.SubjectConfirmationInvalid => ClockBehind(context, evidence),
            SamlErrorCodes.IssuerMismatch => CertificateOfAnotherSite(context) ?? Issuer(context, evidence),
            SamlErrorCodes.CertificateUntrusted => CertificateOfAnotherSite(context) ?? CertificateRolled(context, evidence),
            SamlErrorCodes.AssertionNotYetValid => ClockAhead(context, evidence),
            SamlErrorCodes.AssertionTooOld or SamlErrorCodes.AssertionExpired => ClockBehind(context, evidence),
            SamlErrorCodes.SignatureAlgorithmNotAllowed => Sha1(context),
            SamlErrorCodes.IdpStatusNotSuccess => EntraStatus(context, evidence),
            _ => null,
        };
    }

    private static SignInDiagnosis? GroupsOverage(SamlEvidence evidence) =>
        evidence.AttributeNames.Contains(EntraGroupsLinkClaim, StringComparer.Ordinal)
        && !evidence.AttributeNames.Contains(EntraGroupsClaim, StringComparer.Ordinal)
            ? new SignInDiagnosis(DiagnosisCauses.EntraGroupsOverage, DiagnosisFixes.Idp,
                "Entra sent a link to the user's groups (groups.link) instead of the groups: the user is in more groups than a SAML " +
                "token holds (150). Role mapping by groups cannot see them, so this person gets the role claim's or the default role. " +
                "In Entra: Single sign-on → Attributes & Claims → the groups claim → send only \"Groups assigned to the application\" " +
                "(or filter the groups), or map app roles (the role claim) to this site's roles instead.")
            : null;

    private static SignInDiagnosis? Audience(DiagnosisContext context, SamlEvidence evidence)
    {
        var wrong = evidence.Audiences.Where(a => !string.Equals(a, context.SpEntityId, StringComparison.Ordinal)).ToList();
        foreach (var audience in wrong)
        {
            if (ApplicationId(audience) is { } applicationId)
            {
                return new SignInDiagnosis(DiagnosisCauses.AudienceIsApplicationId, DiagnosisFixes.Idp,
                    $"Entra sent the application's ID ({applicationId}) as the audience instead of this site's entity ID: the " +
                    $"application's Identifier is left at its default. {EntraApplication} → Identifier (Entity ID): add " +
                    $"{context.SpEntityId} and make it the default.");
            }
        }

        foreach (var audience in wrong)
        {
            switch (Relate(audience, context.SpEntityId, context.Subdomain))
            {
                case (UrlRelation.NearMiss, var difference):
                    return new SignInDiagnosis(DiagnosisCauses.AudienceNearMiss, DiagnosisFixes.Idp,
                        $"The application's Identifier differs from this site's entity ID only by {difference}. {EntraApplication} → " +
                        $"Identifier (Entity ID): set exactly {context.SpEntityId}.");
                case (UrlRelation.OtherSite, var subdomain):
                    return new SignInDiagnosis(DiagnosisCauses.AudienceOfAnotherSite, DiagnosisFixes.Idp,
                        $"The application's Identifier is the entity ID of the site \"{subdomain}\", not of this one: the application was " +
                        $"set up for another site of this service. {EntraApplication} → Identifier (Entity ID): set {context.SpEntityId}, " +
                        "or use a separate application for each site.");
                case (UrlRelation.OtherEnvironment, var host):
                    return new SignInDiagnosis(DiagnosisCauses.AudienceOfAnotherEnvironment, DiagnosisFixes.Idp,
                        $"The application's Identifier is this site's entity ID at another address ({host}), such as the staging " +
                        $"service instead of production. {EntraApplication} → Identifier (Entity ID): set {context.SpEntityId}, or use " +
                        "a separate application for each environment.");
            }
        }

        return null;
    }

    private static SignInDiagnosis? ReplyUrl(DiagnosisContext context, string? received, string field) =>
        received is null
            ? null
            : Relate(received, context.AcsUrl, context.Subdomain) switch
            {
                (UrlRelation.NearMiss, var difference) => new SignInDiagnosis(DiagnosisCauses.ReplyUrlNearMiss, DiagnosisFixes.Idp,
                    $"The response's {field} (the application's Reply URL) differs from this site's ACS URL only by {difference}. " +
                    $"{EntraApplication} → Reply URL (Assertion Consumer Service URL): set exactly {context.AcsUrl}."),
                (UrlRelation.OtherSite, var subdomain) => new SignInDiagnosis(DiagnosisCauses.ReplyUrlOfAnotherSite, DiagnosisFixes.Idp,
                    $"The response's {field} is the ACS URL of the site \"{subdomain}\", not of this one: the application's Reply URL " +
                    $"points at another site of this service. {EntraApplication} → Reply URL (Assertion Consumer Service URL): set " +
                    $"{context.AcsUrl}, or use a separate application for each site."),
                (UrlRelation.OtherEnvironment, var host) => new SignInDiagnosis(DiagnosisCauses.ReplyUrlOfAnotherEnvironment, DiagnosisFixes.Idp,
                    $"The response's {field} is this site's ACS URL at another address ({host}), such as the staging service instead " +
                    $"of production. {EntraApplication} → Reply URL (Assertion Consumer Service URL): set {context.AcsUrl}, or use a " +
                    "separate application for each environment."),
                _ => null,
            };

    private static SignInDiagnosis? CertificateOfAnotherSite(DiagnosisContext context) =>
        context.PresentedCertificateTrustedByAnotherSite && context.UntrustedPresentedThumbprints.Count > 0
            ? new SignInDiagnosis(DiagnosisCauses.CertificateOfAnotherSite, DiagnosisFixes.Service,
                "The response is signed with a certificate that is trusted by another site of this service, not by this one: this " +
                "IdP's metadata was probably entered for the wrong site. In this site's Single sign-on settings, upload the " +
                "Federation Metadata XML of the Entra application that signs in to this site (or its Certificate (Base64)), and " +
                "check that the other site was meant to have it.")
            : null;

    private static SignInDiagnosis? CertificateRolled(DiagnosisContext context, SamlEvidence evidence)
    {
        var issuer = evidence.ResponseIssuer ?? evidence.AssertionIssuer;
        return context.UntrustedPresentedThumbprints.Count > 0 && issuer is not null
            && string.Equals(issuer, context.IdpEntityId, StringComparison.Ordinal)
            ? new SignInDiagnosis(DiagnosisCauses.IdpCertificateRolled, DiagnosisFixes.Service,
                "The configured IdP now signs with a certificate this site does not trust yet: it rolled its signing certificate " +
                "(the trusted and the presented thumbprints are in the event's expected and received). Add the new certificate " +
                "(in Entra: Single sign-on → SAML Certificates → Certificate (Base64)) to this site, or set the IdP metadata URL so " +
                "that new certificates are picked up.")
            : null;
    }

    private static SignInDiagnosis? Issuer(DiagnosisContext context, SamlEvidence evidence)
    {
        var issuer = new[] { evidence.ResponseIssuer, evidence.AssertionIssuer }
            .FirstOrDefault(i => i is not null && !string.Equals(i, context.IdpEntityId, StringComparison.Ordinal));
        if (issuer is null || context.IdpEntityId is null)
        {
            return null;
        }

        var received = EntraTenantOf(issuer);
        var configured = EntraTenantOf(context.IdpEntityId);
        if (received is not null && configured is not null && received != configured)
        {
            return new SignInDiagnosis(DiagnosisCauses.EntraTenantMismatch, DiagnosisFixes.Service,
                $"The response comes from another Entra tenant (ID {received}) than the one this site is configured for. If that " +
                "tenant is the company's, upload the Federation Metadata XML of its application in this site's Single sign-on " +
                $"settings (its Microsoft Entra Identifier is https://sts.windows.net/{received}/); otherwise the sign-in was made " +
                "in the wrong Entra directory.");
        }

        return Relate(issuer, context.IdpEntityId, subdomain: null) is (UrlRelation.NearMiss, var difference)
            ? new SignInDiagnosis(DiagnosisCauses.IssuerNearMiss, DiagnosisFixes.Service,
                $"The response's Issuer differs from this site's configured IdP entity ID only by {difference}. In this site's Single " +
                "sign-on settings, set the IdP entity ID exactly as the IdP's metadata has it (Entra: Microsoft Entra Identifier), " +
                "or upload the metadata.")
            : null;
    }

    private static SignInDiagnosis? ClockAhead(DiagnosisContext context, SamlEvidence evidence)
    {
        if (IssuedAt(evidence) is not { } issued || issued - context.Now is var ahead && ahead <= context.ClockSkew)
        {
            return null;
        }

        return ClockSkew(evidence, ahead: true,
            $"The response was issued {Duration(ahead)} ahead of this service's clock; this site allows {Duration(context.ClockSkew)}.");
    }

    /// <summary>
    /// A response that is too old or expired (the assertion or its bearer confirmation) when it arrives, issued minutes
    /// (not hours) before this service's clock: a browser posts within seconds of the IdP issuing it, so the likely cause
    /// is a clock difference. Older than <see cref="StalePostAfter"/> it is far more likely a page left open or posted
    /// again from the history, and no diagnosis is made.
    /// </summary>
    private static SignInDiagnosis? ClockBehind(DiagnosisContext context, SamlEvidence evidence)
    {
        if (IssuedAt(evidence) is not { } issued || context.Now - issued is var behind && (behind <= context.ClockSkew || behind > StalePostAfter))
        {
            return null;
        }

        return ClockSkew(evidence, ahead: false,
            $"The response was issued {Duration(behind)} before this service's clock; this site allows {Duration(context.ClockSkew)} " +
            "of difference. A browser posts a response within seconds, so unless this sign-in page was left open (then signing in " +
            "again is enough), the clocks differ by about that much.");
    }

    private static DateTimeOffset? IssuedAt(SamlEvidence evidence) => evidence.AssertionIssueInstant ?? evidence.ResponseIssueInstant;

    // Entra's clock is exact, so with an Entra issuer it is this service's clock that is off; with any other IdP, the IdP's.
    private static SignInDiagnosis ClockSkew(SamlEvidence evidence, bool ahead, string what)
    {
        var issuer = evidence.AssertionIssuer ?? evidence.ResponseIssuer;
        var (idpClock, ourClock) = ahead ? ("ahead", "behind") : ("behind", "ahead");
        return issuer is not null && EntraTenantOf(issuer) is not null
            ? new SignInDiagnosis(DiagnosisCauses.ClockSkew, DiagnosisFixes.Service,
                what + $" Entra's clock is exact, so this service's clock is {ourClock}: its operator must fix the servers' time " +
                "synchronisation (NTP). Raising the site's clock skew would only hide it.")
            : new SignInDiagnosis(DiagnosisCauses.ClockSkew, DiagnosisFixes.Idp,
                what + $" The IdP's clock is {idpClock} (or this service's {ourClock}): check the time synchronisation (NTP) of the IdP's " +
                "servers; raise the site's clock skew only if the difference cannot be fixed.");
    }

    private static SignInDiagnosis? Sha1(DiagnosisContext context) =>
        !context.AllowSha1 && context.Received is SamlConstants.RsaSha1 or SamlConstants.DigestSha1
            ? new SignInDiagnosis(DiagnosisCauses.Sha1Signature, DiagnosisFixes.Idp,
                "The IdP signs with SHA-1, which this site does not accept. In Entra: Enterprise applications → this application → " +
                "Single sign-on → SAML Certificates → Edit → Signing Algorithm: SHA-256 (the Signing Option can stay as it is).")
            : null;

    private static SignInDiagnosis? EntraStatus(DiagnosisContext context, SamlEvidence evidence)
    {
        if (evidence.StatusCode is not (StatusRequester or StatusResponder) || evidence.StatusMessage is null)
        {
            return null;
        }

        if (Match(AadstsPattern(), evidence.StatusMessage) is not { } match)
        {
            return null;
        }

        var code = match.Groups["code"].Value;
        var entra = $"Entra refused the sign-in (AADSTS{code}): ";
        return code switch
        {
            "50105" => new(DiagnosisCauses.EntraUserNotAssigned, DiagnosisFixes.Idp, entra +
                "the user is not assigned to the application. In Entra: Enterprise applications → this application → Users and " +
                "groups → Add user/group (the user, or a group they are in), or set Properties → Assignment required? to No."),
            "50011" => new(DiagnosisCauses.EntraReplyUrlMismatch, DiagnosisFixes.Idp, entra +
                $"the reply URL of the sign-in request is not a Reply URL of the application. {EntraApplication} → Reply URL " +
                $"(Assertion Consumer Service URL): add {context.AcsUrl}."),
            "75011" => new(DiagnosisCauses.EntraAuthenticationMethodMismatch, DiagnosisFixes.Idp, entra +
                "the way the user signed in to Entra does not match the authentication method the request asked for. The user " +
                "should sign out of their Microsoft account and sign in again; if it persists, check the application's and the " +
                "Conditional Access policies' authentication requirements (this site's requests ask for no particular method)."),
            "750054" => new(DiagnosisCauses.EntraBindingProblem, DiagnosisFixes.Service, entra +
                "the Entra sign-in URL was opened without a SAML request (SAMLRequest must be in the query string for the " +
                "HTTP-Redirect binding), e.g. a bookmarked Login URL. Start the sign-in from this site's sign-in button or from the " +
                "application's tile in My Apps, and check that this site's SSO Target URL is Entra's Login URL " +
                "(https://login.microsoftonline.com/<tenant-id>/saml2) with nothing appended."),
            "700016" => new(DiagnosisCauses.EntraApplicationNotFound, DiagnosisFixes.Idp, entra +
                $"no application in the Entra directory has this site's identifier. {EntraApplication} → Identifier (Entity ID): " +
                $"add {context.SpEntityId}; and check that this site's SSO Target URL names the Entra tenant that holds the application."),
            "50076" => new(DiagnosisCauses.EntraMfaRequired, DiagnosisFixes.Idp, entra +
                "multi-factor authentication is required (by a Conditional Access policy or security defaults) and was not " +
                "completed. The user must sign in again and complete the second factor."),
            "50079" => new(DiagnosisCauses.EntraMfaRegistrationRequired, DiagnosisFixes.Idp, entra +
                "the user must register for multi-factor authentication first: they sign in at https://aka.ms/mfasetup and set up " +
                "a method, then sign in again."),
            "50034" => new(DiagnosisCauses.EntraUserNotFound, DiagnosisFixes.Idp, entra +
                "the account does not exist in the Entra directory. The user must sign in with their account of the company's " +
                "directory; or add the user (Entra: Users → New user, or invite them as a guest)."),
            "50020" => new(DiagnosisCauses.EntraGuestNotInTenant, DiagnosisFixes.Idp, entra +
                "the account belongs to another directory and is not a guest in the application's Entra tenant. Invite the user " +
                "as a guest (Entra: Users → New user → Invite external user), or sign in with an account of the company's directory."),
            "50057" => new(DiagnosisCauses.EntraUserDisabled, DiagnosisFixes.Idp, entra +
                "the user's account is disabled in Entra. In Entra: Users → the user → Properties → Account enabled."),
            "50053" => new(DiagnosisCauses.EntraAccountLocked, DiagnosisFixes.Idp, entra +
                "the account is locked after too many failed sign-ins, or sign-ins from the user's address are blocked. Wait and " +
                "retry, or have an Entra administrator unlock the account."),
            "53003" => new(DiagnosisCauses.EntraConditionalAccessBlocked, DiagnosisFixes.Idp, entra +
                "a Conditional Access policy blocked it. In Entra: Sign-in logs → the failed sign-in → Conditional Access names " +
                "the policy; adjust the policy, or the user signs in from an allowed device or location."),
            "90015" => new(DiagnosisCauses.EntraRequestTooLong, DiagnosisFixes.Service, entra +
                "the sign-in URL's query string is too long. Start the sign-in again from this site; if it persists, remove extra " +
                "parameters from this site's SSO Target URL."),
            _ => null,
        };
    }

    private enum UrlRelation
    {
        Unrelated,
        /// <summary>Equal but for the trailing slash, the scheme or letter case; the detail says which.</summary>
        NearMiss,
        /// <summary>Another subdomain on the same base domain, same path; the detail is the subdomain.</summary>
        OtherSite,
        /// <summary>The same subdomain on another base domain, same path; the detail is the host.</summary>
        OtherEnvironment,
    }

    private static (UrlRelation Relation, string Detail) Relate(string received, string expected, string? subdomain)
    {
        if (NearMiss(received, expected) is { } difference)
        {
            return (UrlRelation.NearMiss, difference);
        }

        if (subdomain is null
            || !Uri.TryCreate(received, UriKind.Absolute, out var got) || !Uri.TryCreate(expected, UriKind.Absolute, out var want)
            || got.Scheme is not ("https" or "http") || got.HostNameType != UriHostNameType.Dns
            || !string.Equals(got.AbsolutePath.TrimEnd('/'), want.AbsolutePath.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)
            || !want.Host.StartsWith(subdomain + ".", StringComparison.OrdinalIgnoreCase))
        {
            return (UrlRelation.Unrelated, string.Empty);
        }

        var baseDomain = want.Host[(subdomain.Length + 1)..];
        var host = got.Host;
        var dot = host.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return (UrlRelation.Unrelated, string.Empty);
        }

        var label = host[..dot];
        var rest = host[(dot + 1)..];
        if (string.Equals(rest, baseDomain, StringComparison.OrdinalIgnoreCase) && !string.Equals(label, subdomain, StringComparison.OrdinalIgnoreCase)
            && SubdomainRules.IsWellFormed(label))
        {
            return (UrlRelation.OtherSite, label);
        }

        return string.Equals(label, subdomain, StringComparison.OrdinalIgnoreCase) && !string.Equals(rest, baseDomain, StringComparison.OrdinalIgnoreCase)
            ? (UrlRelation.OtherEnvironment, host)
            : (UrlRelation.Unrelated, string.Empty);
    }

    /// <summary>What alone makes <paramref name="received"/> differ from <paramref name="expected"/>, when it is only the
    /// trailing slash, the scheme (http/https) or letter case; otherwise null.</summary>
    private static string? NearMiss(string received, string expected)
    {
        var differences = new List<string>();
        var (receivedScheme, receivedRest) = SplitScheme(received);
        var (expectedScheme, expectedRest) = SplitScheme(expected);
        if (!string.Equals(receivedScheme, expectedScheme, StringComparison.OrdinalIgnoreCase))
        {
            if (receivedScheme is null || expectedScheme is null)
            {
                return null;
            }

            differences.Add($"the scheme ({receivedScheme.ToLowerInvariant()} instead of {expectedScheme.ToLowerInvariant()})");
        }

        var receivedSlashes = receivedRest.Length - receivedRest.TrimEnd('/').Length;
        var expectedSlashes = expectedRest.Length - expectedRest.TrimEnd('/').Length;
        if (receivedSlashes != expectedSlashes)
        {
            differences.Add(receivedSlashes < expectedSlashes ? "the missing trailing slash" : "an extra trailing slash");
        }

        var receivedCore = receivedRest.TrimEnd('/');
        var expectedCore = expectedRest.TrimEnd('/');
        if (!string.Equals(receivedCore, expectedCore, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!string.Equals(receivedCore, expectedCore, StringComparison.Ordinal)
            || (receivedScheme is not null && !string.Equals(receivedScheme, expectedScheme, StringComparison.Ordinal)
                && string.Equals(receivedScheme, expectedScheme, StringComparison.OrdinalIgnoreCase)))
        {
            differences.Add("letter case");
        }

        return differences.Count == 0 ? null : string.Join(" and ", differences);
    }

    private static (string? Scheme, string Remainder) SplitScheme(string url)
    {
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        return separator > 0 ? (url[..separator], url[(separator + 3)..]) : (null, url);
    }

    /// <summary>The application ID from an audience Entra writes when the Identifier is left unset: "spn:&lt;guid&gt;" or the bare GUID.</summary>
    private static string? ApplicationId(string audience)
    {
        var candidate = audience.StartsWith("spn:", StringComparison.OrdinalIgnoreCase) ? audience[4..] : audience;
        return Guid.TryParseExact(candidate, "D", out var id) ? id.ToString("D") : null;
    }

    /// <summary>The Entra tenant ID of an Entra SAML issuer, https://sts.windows.net/&lt;guid&gt;/.</summary>
    private static string? EntraTenantOf(string issuer)
    {
        return Match(EntraIssuerPattern(), issuer) is { } match && Guid.TryParseExact(match.Groups["tenant"].Value, "D", out var id)
            ? id.ToString("D")
            : null;
    }

    /// <summary>A successful match, or null; a match that times out (it cannot on these bounded, linear patterns) is no match.</summary>
    private static Match? Match(Regex pattern, string input)
    {
        try
        {
            var match = pattern.Match(input);
            return match.Success ? match : null;
        }
        catch (RegexMatchTimeoutException)
        {
            return null;
        }
    }

    private static string Duration(TimeSpan span)
    {
        static string Count(double value, string unit)
        {
            var rounded = (long)Math.Round(value, MidpointRounding.AwayFromZero);
            return rounded.ToString(CultureInfo.InvariantCulture) + " " + unit + (rounded == 1 ? string.Empty : "s");
        }

        return span.TotalSeconds < 120 ? Count(span.TotalSeconds, "second")
            : span.TotalMinutes < 120 ? Count(span.TotalMinutes, "minute")
            : span.TotalHours < 48 ? Count(span.TotalHours, "hour")
            : Count(span.TotalDays, "day");
    }

    [GeneratedRegex(@"\bAADSTS(?<code>[0-9]{5,7})\b", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex AadstsPattern();

    [GeneratedRegex(@"^https://sts\.windows\.net/(?<tenant>[0-9a-fA-F-]{36})/?$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex EntraIssuerPattern();
}
