package dev.starling.sdk;

/**
 * A problem with one job parameter.
 *
 * @param param the parameter's name
 * @param message what is wrong, in words a researcher can act on
 */
public record ParamError(String param, String message) {}
