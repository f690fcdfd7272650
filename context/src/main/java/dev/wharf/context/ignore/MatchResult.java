package dev.wharf.context.ignore;

/**
 * The outcome of matching one path: whether it is matched (excluded, for an ignore file) and the information its
 * children need. Immutable.
 */
public record MatchResult(boolean matched, MatchInfo info) {
}
