{{/* Names and labels shared by every template. */}}

{{- define "sawmill.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sawmill.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "sawmill.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sawmill.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sawmill.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "sawmill.labels" -}}
helm.sh/chart: {{ include "sawmill.chart" . }}
{{ include "sawmill.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "sawmill.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "sawmill.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "sawmill.authSecretName" -}}
{{- default (printf "%s-auth" (include "sawmill.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{- define "sawmill.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Sawmill's configuration file: values.config with the keys the chart owns laid over it (the
listen address and port, the data directory on the volume, the mounted credentials files).
*/}}
{{- define "sawmill.config" -}}
{{- $owned := dict
  "server" (dict "http_listen_address" "0.0.0.0" "http_listen_port" (int .Values.httpPort))
  "storage" (dict "path" "/data")
}}
{{- if .Values.auth.enabled }}
{{- $_ := set $owned "auth" (dict "basic_auth_file" "/etc/sawmill/auth/basic_auth" "bearer_token_file" "/etc/sawmill/auth/bearer_tokens") }}
{{- end }}
{{- $config := mergeOverwrite (deepCopy (.Values.config | default dict)) $owned }}
{{- toYaml $config }}
{{- end }}
