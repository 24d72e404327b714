using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Acs.Tests.Reliability;

/// <summary>Sees every log line of a host and keeps those that contain any of the forbidden strings (and errors, for
/// diagnosis), so a test can prove that request content never reaches the logs.</summary>
public sealed class CapturingLoggerProvider(params string[] forbidden) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _leaks = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private long _lines;

    public long Lines => Interlocked.Read(ref _lines);

    public IReadOnlyCollection<string> Leaks => _leaks;

    public IReadOnlyCollection<string> Errors => _errors;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        Interlocked.Increment(ref _lines);
        var line = $"{level} {category}: {message}{(exception is null ? "" : Environment.NewLine + exception)}";
        if (forbidden.Any(f => line.Contains(f, StringComparison.OrdinalIgnoreCase)) && _leaks.Count < 20)
        {
            _leaks.Enqueue(line.Length > 2000 ? line[..2000] : line);
        }

        if (level >= LogLevel.Error && _errors.Count < 20)
        {
            _errors.Enqueue(line.Length > 4000 ? line[..4000] : line);
        }
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Write(category, logLevel, formatter(state, exception), exception);
    }
}
