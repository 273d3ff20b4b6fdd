package dev.outpost.edge.config;

/** One KV store value with its optional metadata. */
public record KvEntry(byte[] value, String metadata) {}
