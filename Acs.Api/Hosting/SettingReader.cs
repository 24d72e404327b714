using System.Globalization;

namespace Acs.Api.Hosting;

/// <summary>
/// Reads one optional setting: the fallback when it is unset, else its value if well-formed, else one error line that
/// names the environment variable (<c>Acs:A:B</c> is set as <c>Acs__A__B</c>) and says what it must be.
/// </summary>
internal static class SettingReader
{
    public static string VariableOf(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    public static int PositiveInt(IConfiguration configuration, string key, int fallback, List<string> errors)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        errors.Add($"{VariableOf(key)} '{raw}' is not a positive whole number");
        return fallback;
    }

    public static bool Bool(IConfiguration configuration, string key, bool fallback, List<string> errors)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (bool.TryParse(raw, out var value))
        {
            return value;
        }

        errors.Add($"{VariableOf(key)} '{raw}' is not true or false");
        return fallback;
    }

    public static TimeSpan PositiveTimeSpan(IConfiguration configuration, string key, TimeSpan fallback, string example, List<string> errors) =>
        TimeSpanWhere(configuration, key, fallback, value => value > TimeSpan.Zero, $"a positive time span such as {example}", errors);

    public static TimeSpan TimeSpanAtLeast(IConfiguration configuration, string key, TimeSpan fallback, TimeSpan minimum, List<string> errors) =>
        TimeSpanWhere(configuration, key, fallback, value => value >= minimum,
            $"a time span of at least {minimum} (e.g. 06:00:00, or 7.00:00:00 for seven days)", errors);

    private static TimeSpan TimeSpanWhere(IConfiguration configuration, string key, TimeSpan fallback, Func<TimeSpan, bool> acceptable,
        string expected, List<string> errors)
    {
        var raw = configuration[key];
        if (string.IsNullOrWhiteSpace(raw))
        {
            return fallback;
        }

        if (TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var value) && acceptable(value))
        {
            return value;
        }

        errors.Add($"{VariableOf(key)} '{raw}' is not {expected}");
        return fallback;
    }
}
