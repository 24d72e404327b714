using System.Security.Cryptography.X509Certificates;
using Acs.Testing.TestIdp;
using TestSignMode = Acs.Testing.TestIdp.SignMode;

namespace Acs.Benchmarks.Responses;

public enum SignMode
{
    Assertion,
    Response,
    Both,
}

/// <summary>Who the response is for: the tenant's site and the person signing in.</summary>
public sealed record ResponseTarget(string SpEntityId, string AcsUrl, string Email, string ObjectId, string GivenName, string Surname);

/// <summary>
/// A stand-in for Microsoft Entra ID: a fresh RSA-2048 key with a self-signed certificate that issues the test IdP's
/// Entra-shaped responses, signed as Entra signs, for any tenant's site and person.
/// </summary>
public sealed class EntraIdp
{
    public const string EntraTenantId = TestResponseBuilder.EntraTenantId;
    public const string IdpEntityId = TestResponseBuilder.IdpEntityId;
    public const string GroupsClaim = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups";

    private readonly TestIdpKeys _keys;

    private EntraIdp(TestIdpKeys keys) => _keys = keys;

    public X509Certificate2 Certificate => _keys.Certificate;

    public static EntraIdp Create() => new(TestIdpKeys.CreateRsa("Microsoft Azure Federated SSO Certificate"));

    public string CertificatePem() => Certificate.ExportCertificatePem();

    /// <summary>The response's bytes as they would be posted (before base64). <paramref name="groups"/> extra group
    /// object IDs make the large (~50 KB) variant, as Entra sends for users in many groups.</summary>
    /// <param name="confirmationLifetime">SubjectConfirmationData/@NotOnOrAfter after <paramref name="now"/>; Entra
    /// uses 5 minutes. The files the peer libraries read (on the real clock) need longer to outlive the run.</param>
    public byte[] Issue(ResponseTarget target, SignMode sign, DateTimeOffset now, int groups = 0, TimeSpan? confirmationLifetime = null)
    {
        var builder = new TestResponseBuilder
        {
            IssueInstant = now,
            Destination = target.AcsUrl,
            Recipient = target.AcsUrl,
            Audience = target.SpEntityId,
            NameId = target.Email,
            ConfirmationNotOnOrAfter = now + (confirmationLifetime ?? TimeSpan.FromMinutes(5)),
            NotBefore = now.AddMinutes(-5),
            NotOnOrAfter = now.AddHours(1),
            Sign = sign switch
            {
                SignMode.Assertion => TestSignMode.Assertion,
                SignMode.Response => TestSignMode.Response,
                _ => TestSignMode.Both,
            },
            Signature = new SignatureOptions { Keys = _keys },
        };
        builder.Attributes.Clear();
        builder.Attributes.AddRange(
        [
            new(TestResponseBuilder.ClaimTenantId, EntraTenantId),
            new(TestResponseBuilder.ClaimObjectId, target.ObjectId),
            new(TestResponseBuilder.ClaimIdentityProvider, IdpEntityId),
            new(TestResponseBuilder.ClaimAuthnMethods, Acs.Core.DevelopmentIdp.EntraResponse.PasswordAuthnMethod),
            new(TestResponseBuilder.ClaimDisplayName, target.GivenName + " " + target.Surname),
            new(TestResponseBuilder.ClaimEmail, target.Email),
            new(TestResponseBuilder.ClaimGivenName, target.GivenName),
            new(TestResponseBuilder.ClaimSurname, target.Surname),
            new(TestResponseBuilder.ClaimName, target.Email),
        ]);
        for (var i = 0; i < groups; i++)
        {
            builder.Attributes.Add(new(GroupsClaim, GroupId(i)));
        }

        return builder.BuildBytes();
    }

    private static string GroupId(int i) => new Guid(i, 0x1234, 0x5678, [1, 2, 3, 4, 5, 6, 7, 8]).ToString("D");
}
