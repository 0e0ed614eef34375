package dev.starling.coordinator.web;

import java.util.List;

/** One page of a listing: {@code items}, the page number and size asked for, and the total count. */
public record Page<T>(List<T> items, int page, int size, long total) {}
