using System.Diagnostics;
using Acs.Core.Certificates;
using Acs.Core.Saml.Validation;
using Acs.Tests.TestInfrastructure;

namespace Acs.Tests.Core.Saml.Validation;

/// <summary>
/// Interoperability with an independent signer: ../shared/peers (Node, samlify) issues Entra-shaped responses.
/// Uses the writable copy in ACS_PEERS_DIR (prepared by .ci/run) or makes one with `npm ci` in a temp folder.
/// </summary>
[TestFixture]
[NonParallelizable]
[Category("Slow")]
public sealed class PeerIdpInteropTests
{
    private const string Issuer = "https://sts.windows.net/11111111-2222-3333-4444-555555555555/";
    private const string SpEntityId = "https://acme.statuspage.io/";
    private const string AcsUrl = "https://acme.statuspage.io/sso/saml/consume";

    private string? _peers;
    private string? _work;
    private string? _unavailable;
    private TrustedCertificate? _certificate;

    [OneTimeSetUp]
    public void PreparePeers()
    {
        try
        {
            _work = Directory.CreateTempSubdirectory("acs-peers-").FullName;
            _peers = Environment.GetEnvironmentVariable("ACS_PEERS_DIR") is { Length: > 0 } fromEnvironment
                ? fromEnvironment
                : CopyAndInstall();
            if (_peers is null)
            {
                return;
            }

            Run("node", Path.Combine(_peers, "make-idp.mjs"), "--out", Path.Combine(_work, "idp"));
            var parsed = CertificateParser.Parse(File.ReadAllText(Path.Combine(_work, "idp", "idp-cert.pem")));
            _certificate = parsed.IsValid ? parsed.Certificate : throw new InvalidOperationException("idp-cert.pem: " + parsed.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or IOException)
        {
            _unavailable = "The Node peer IdP could not be prepared: " + e.Message;
        }
    }

    [OneTimeTearDown]
    public void RemoveWorkFolder()
    {
        if (_work is not null && Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    [TestCase("assertion", SignedParts.Assertion)]
    [TestCase("response", SignedParts.Response)]
    [TestCase("both", SignedParts.Response | SignedParts.Assertion)]
    public void Validate_WithResponseIssuedBySamlify_IsAccepted(string sign, SignedParts expectedParts)
    {
        var xml = Issue("--sign", sign, "--audience", SpEntityId);

        var result = new SamlResponseValidator(TimeProvider.System).Validate(Convert.ToBase64String(xml), Settings());

        Assert.That(result.IsValid, Is.True, () => $"{result.Failure?.Code}: {result.Failure?.Message}");
        Assert.That(result.Assertion!.NameId, Is.EqualTo("jane.doe@contoso.test"));
        Assert.That(result.Assertion.SignedParts, Is.EqualTo(expectedParts));
        Assert.That(result.Assertion.Attributes, Does.ContainKey("http://schemas.microsoft.com/identity/claims/objectidentifier"));
    }

    [Test]
    public void Validate_WithSha512ResponseIssuedBySamlify_IsAccepted()
    {
        var xml = Issue("--sign", "both", "--alg", "sha512", "--audience", SpEntityId);

        var result = new SamlResponseValidator(TimeProvider.System).ValidateXml(xml, Settings());

        Assert.That(result.IsValid, Is.True, () => $"{result.Failure?.Code}: {result.Failure?.Message}");
    }

    [Test]
    public void Validate_WithSamlifyResponseForAnotherAudience_IsRefused()
    {
        var xml = Issue("--sign", "assertion", "--audience", "https://other.statuspage.io/");

        var result = new SamlResponseValidator(TimeProvider.System).ValidateXml(xml, Settings());

        Assert.That(result.Failure?.Code, Is.EqualTo(SamlErrorCodes.AudienceMismatch));
        Assert.That(result.Failure!.Received, Is.EqualTo("https://other.statuspage.io/"));
    }

    [Test]
    public void Parse_WithPeerCertificateBase64File_MatchesThePemCertificate()
    {
        RequirePeers();

        var parsed = CertificateParser.Parse(File.ReadAllText(Path.Combine(_work!, "idp", "idp-cert.b64")));

        Assert.That(parsed.IsValid, Is.True, parsed.Message);
        Assert.That(parsed.Certificate!.ThumbprintSha256, Is.EqualTo(_certificate!.ThumbprintSha256));
    }

    private SamlValidationSettings Settings() => new(SpEntityId, AcsUrl, Issuer, [_certificate!]);

    private byte[] Issue(params string[] options)
    {
        RequirePeers();
        var output = Path.Combine(_work!, Guid.NewGuid().ToString("N") + ".xml");
        string[] arguments =
        [
            Path.Combine(_peers!, "issue.mjs"),
            "--key", Path.Combine(_work!, "idp", "idp-key.pem"),
            "--cert", Path.Combine(_work!, "idp", "idp-cert.pem"),
            "--issuer", Issuer,
            "--destination", AcsUrl,
            "--name-id", "jane.doe@contoso.test",
            "--out", output,
            .. options,
        ];
        Run("node", arguments);
        return File.ReadAllBytes(output);
    }

    private void RequirePeers()
    {
        if (_peers is null || _certificate is null)
        {
            SharedFolder.Missing(_unavailable ?? "The Node peer IdP (../shared/peers, node and npm) is not available.");
        }
    }

    private string? CopyAndInstall()
    {
        var source = SharedFolder.Find("peers");
        if (source is null)
        {
            _unavailable = "../shared/peers was not found next to the repository and ACS_PEERS_DIR is not set.";
            return null;
        }

        var copy = Path.Combine(_work!, "peers");
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.StartsWith("node_modules", StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(copy, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetAttributes(target, FileAttributes.Normal);
        }

        Run("npm", ["ci", "--no-audit", "--no-fund"], copy);
        return copy;
    }

    private static void Run(string fileName, params string[] arguments) => Run(fileName, arguments, null);

    private static void Run(string fileName, string[] arguments, string? workingDirectory)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} timed out.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {stderr.Result}{stdout.Result}");
        }
    }
}
