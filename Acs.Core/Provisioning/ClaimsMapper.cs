using System.Net.Mail;
using Acs.Core.Saml.Validation;

namespace Acs.Core.Provisioning;

/// <summary>Maps a validated assertion's NameID and attributes to an <see cref="IdpIdentity"/>.</summary>
public static class ClaimsMapper
{
    public const string ObjectIdentifier = "http://schemas.microsoft.com/identity/claims/objectidentifier";
    public const string EmailAddress = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress";
    public const string GivenName = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname";
    public const string Surname = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname";
    public const string Role = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role";
    public const string EmailNameIdFormat = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

    // Other IdPs name the same claims differently; Entra's names come first.
    private static readonly string[] EmailClaims = [EmailAddress, "email", "mail", "Email", "urn:oid:0.9.2342.19200300.100.1.3"];
    private static readonly string[] GivenNameClaims = [GivenName, "firstName", "givenName", "given_name", "urn:oid:2.5.4.42"];
    private static readonly string[] SurnameClaims = [Surname, "lastName", "surname", "sn", "family_name", "urn:oid:2.5.4.4"];
    private static readonly string[] RoleClaims = [Role, "role", "roles", "groups"];

    public static IdpIdentity Map(SamlAssertion assertion)
    {
        var subject = First(assertion, [ObjectIdentifier]) ?? assertion.NameId;
        var email = First(assertion, EmailClaims);
        if (email is null && string.Equals(assertion.NameIdFormat, EmailNameIdFormat, StringComparison.Ordinal))
        {
            email = assertion.NameId;
        }

        return new IdpIdentity(
            subject,
            assertion.NameId,
            IsEmail(email) ? email!.Trim() : null,
            First(assertion, GivenNameClaims) ?? string.Empty,
            First(assertion, SurnameClaims) ?? string.Empty,
            RoleClaims.SelectMany(name => assertion.Attributes.TryGetValue(name, out var values) ? values : []).ToArray());
    }

    private static string? First(SamlAssertion assertion, string[] names)
    {
        foreach (var name in names)
        {
            if (assertion.Attributes.TryGetValue(name, out var values))
            {
                var value = values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
                if (value is not null)
                {
                    return value.Trim();
                }
            }
        }

        return null;
    }

    private static bool IsEmail(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= 320 && MailAddress.TryCreate(value.Trim(), out var parsed)
        && string.Equals(parsed.Address, value.Trim(), StringComparison.Ordinal);
}
