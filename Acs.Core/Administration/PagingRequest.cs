using System.Globalization;
using FluentValidation;

namespace Acs.Core.Administration;

/// <summary>
/// Paging as typed in a query string. Kept as text so that <c>?limit=abc</c> is a validation error naming the
/// field, not a binding failure.
/// </summary>
public sealed record PagingRequest(string? Offset, string? Limit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    internal const string OffsetMessage = "offset must be a whole number, 0 or more.";
    internal static readonly string LimitMessage = $"limit must be a whole number from 1 to {MaxLimit}.";

    public int OffsetValue => ParseOr(Offset, 0);

    public int LimitValue => ParseOr(Limit, DefaultLimit);

    internal static int ParseOr(string? text, int fallback) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    internal static bool IsIntegerIn(string? text, int min, int max) =>
        text is null || int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max;
}

public sealed class PagingRequestValidator : AbstractValidator<PagingRequest>
{
    public PagingRequestValidator()
    {
        RuleFor(p => p.Offset).Must(o => PagingRequest.IsIntegerIn(o, 0, int.MaxValue)).WithErrorCode("offset_invalid")
            .WithMessage(PagingRequest.OffsetMessage);
        RuleFor(p => p.Limit).Must(l => PagingRequest.IsIntegerIn(l, 1, PagingRequest.MaxLimit)).WithErrorCode("limit_invalid")
            .WithMessage(PagingRequest.LimitMessage);
    }
}
