#!/bin/sh
echo templates
