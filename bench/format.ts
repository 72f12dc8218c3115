/** How the bench's tables print values: fixed units, so columns compare at a glance. */

export const ms = (value: number, digits = 2): string => `${value.toFixed(digits)} ms`;

export const us = (value: number): string => `${value.toFixed(0)} µs`;

export const perSec = (value: number, unit: string): string => `${Math.round(value).toLocaleString("en-US")} ${unit}/s`;

export const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export const bytes = (value: number): string => `${Math.round(value).toLocaleString("en-US")} B`;

export const times = (value: number): string => `${value.toFixed(2)}×`;
