using System.Security.Cryptography;
using System.Text;

namespace Acs.Core.Login;

/// <summary>
/// Binds an SP-initiated sign-in request to the browser that started it. The browser receives a keyed hash
/// (HMAC-SHA256 with the deployment's binding key) of the tenant, the site's ACS URL and the request ID; a response
/// answering the request signs in only where the same browser sends that value back. The request ID alone is no
/// secret (it travels in RelayState and URLs), the keyed hash cannot be computed without the key.
/// </summary>
public sealed class AuthnRequestBinding
{
    private const int MinimumKeyBytes = 32;
    private readonly byte[] _key;

    /// <param name="key">At least 32 bytes, the same on every replica of the deployment.</param>
    public AuthnRequestBinding(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < MinimumKeyBytes)
        {
            throw new ArgumentException($"The binding key must be at least {MinimumKeyBytes} bytes.", nameof(key));
        }

        _key = key.ToArray();
    }

    /// <summary>The value the starting browser keeps: base64url, 43 characters.</summary>
    public string ValueFor(Guid tenantId, string acsUrl, string requestId) =>
        Base64Url(HMACSHA256.HashData(_key, Message(tenantId, acsUrl, requestId)));

    /// <summary>Whether the browser's value binds it to this request of this tenant's site (constant-time comparison).</summary>
    public bool Matches(Guid tenantId, string acsUrl, string requestId, string? presented)
    {
        if (string.IsNullOrEmpty(presented) || presented.Length > 128)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(ValueFor(tenantId, acsUrl, requestId));
        var actual = Encoding.UTF8.GetBytes(presented);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private static byte[] Message(Guid tenantId, string acsUrl, string requestId) =>
        Encoding.UTF8.GetBytes($"acs-authn-request-binding\n{tenantId:N}\n{acsUrl}\n{requestId}");

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
