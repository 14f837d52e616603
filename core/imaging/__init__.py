"""Turning photo files into pixels and metadata, without ever writing to them."""
