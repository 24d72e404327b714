using System.Text.Json;
using Acs.Benchmarks.Responses;
using Acs.Core.Certificates;
using Acs.Core.Saml.Validation;

namespace Acs.Benchmarks.Validator;

/// <summary>
/// The responses every validator measurement uses, written to a folder so the Node peers read the very same bytes:
/// resp-{assertion|response|both}-{5kb|50kb}.xml, idp-cert.pem, and settings.json (issuer, audience, destination, now).
/// </summary>
public sealed record ResponseSet(string Folder, DateTimeOffset IssuedAt)
{
    public const string SpEntityId = "https://acme.statuspage.io/";
    public const string AcsUrl = "https://acme.statuspage.io/sso/saml/consume";

    /// <summary>Group claims that take the response to about 50 KB.</summary>
    public const int LargeGroups = 660;

    public static readonly string[] Sizes = ["5kb", "50kb"];

    public static ResponseSet Write(string folder)
    {
        Directory.CreateDirectory(folder);
        var idp = EntraIdp.Create();
        var now = DateTimeOffset.UtcNow;
        var target = new ResponseTarget(SpEntityId, AcsUrl, "jane.doe@contoso.test", "9f5c3e2a-7d41-4c8e-b0f6-2a1d3c4b5e6f", "Jane", "Doe");
        foreach (var mode in Enum.GetValues<SignMode>())
        {
            foreach (var size in Sizes)
            {
                var bytes = idp.Issue(target, mode, now, size == "50kb" ? LargeGroups : 0, TimeSpan.FromMinutes(30));
                File.WriteAllBytes(Path.Combine(folder, FileName(mode, size)), bytes);
            }
        }

        File.WriteAllText(Path.Combine(folder, "idp-cert.pem"), idp.CertificatePem());
        File.WriteAllText(Path.Combine(folder, "settings.json"), JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["issuer"] = EntraIdp.IdpEntityId,
            ["audience"] = SpEntityId,
            ["destination"] = AcsUrl,
            ["issuedAt"] = now.ToString("O"),
        }));
        return new ResponseSet(folder, now);
    }

    public static ResponseSet Read(string folder)
    {
        var settings = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(folder, "settings.json")))!;
        return new ResponseSet(folder, DateTimeOffset.Parse(settings["issuedAt"], System.Globalization.CultureInfo.InvariantCulture));
    }

    public static string FileName(SignMode mode, string size) => $"resp-{mode.ToString().ToLowerInvariant()}-{size}.xml";

    public byte[] Bytes(SignMode mode, string size) => File.ReadAllBytes(Path.Combine(Folder, FileName(mode, size)));

    public TrustedCertificate Certificate()
    {
        using var certificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPem(
            File.ReadAllText(Path.Combine(Folder, "idp-cert.pem")));
        return TrustedCertificate.FromDer(certificate.RawData);
    }

    public SamlValidationSettings Settings() => new(SpEntityId, AcsUrl, EntraIdp.IdpEntityId, [Certificate()]);
}

/// <summary>"Now" frozen at the moment the responses were issued, so they stay valid for the whole run.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
