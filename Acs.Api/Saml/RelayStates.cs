namespace Acs.Api.Saml;

/// <summary>RelayState is honoured only as a path on the same tenant host: no open redirect.</summary>
public static class RelayStates
{
    public const int MaxLength = 1024;

    public static string SafeRedirectPath(string? relayState)
    {
        if (string.IsNullOrEmpty(relayState) || relayState.Length > MaxLength)
        {
            return "/";
        }

        var isLocalPath = relayState[0] == '/'
                          && (relayState.Length == 1 || relayState[1] is not ('/' or '\\'))
                          && !relayState.Contains('\\', StringComparison.Ordinal)
                          && !relayState.Any(char.IsControl)
                          && !relayState.Contains("://", StringComparison.Ordinal);
        return isLocalPath ? relayState : "/";
    }
}
